"""Secrets stay out of images and off other users' screens: .dockerignore, the Dockerfile, file modes, settings."""
from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from docker.utils.build import exclude_paths  # docker-py's implementation of Docker's .dockerignore rules

ROOT = Path(__file__).resolve().parents[2]
SECRETS = ["keys/signer.key", "keys/ca.pem", ".env", "deploy/.env", "prod.env", ".env.production", "var/secret_key",
           "var/demo-credentials.json", "var/keys/signer.key", "var/hallmark.sqlite3", ".venv/bin/python",
           ".git/config", "platform/hallmark/dev.key"]
NEEDED = ["pyproject.toml", "README.md", "manage.py", "platform/hallmark/settings.py", "platform/jobs/views.py",
          "generation/__init__.py", "moderation/data/policy.yaml", "provenance/devca.py"]


@pytest.fixture
def context(tmp_path):
    """A build context holding the repository's .dockerignore, secrets where operators put them, and code."""
    (tmp_path / ".dockerignore").write_text((ROOT / ".dockerignore").read_text())
    for name in SECRETS + NEEDED:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    return set(exclude_paths(str(tmp_path), patterns))


def test_the_build_context_leaves_out_every_secret(context):
    leaked = [name for name in SECRETS if name in context]
    assert not leaked, leaked


def test_the_build_context_keeps_what_the_image_runs(context):
    missing = [name for name in NEEDED if name not in context]
    assert not missing, missing


def test_the_dockerfile_copies_named_paths_only_and_each_survives_the_ignore_file(context):
    copies = re.findall(r"^COPY\s+(.+)$", (ROOT / "Dockerfile").read_text(), re.M)
    assert copies
    for line in copies:
        *sources, _dest = line.split()
        for source in sources:
            assert source not in (".", "./", "*"), f"COPY {line}: copies the whole tree"
            assert (ROOT / source).exists(), source
            if (ROOT / source).is_file():
                assert source in context, f"{source} is ignored but copied"


def test_the_local_secret_key_is_created_readable_by_its_owner_only(tmp_path, monkeypatch):
    import hallmark.settings as module

    monkeypatch.setattr(module, "VAR_DIR", tmp_path / "var")
    old = os.umask(0o022)  # a typical umask: a plain write would make it world-readable
    try:
        key = module._local_secret_key()
    finally:
        os.umask(old)
    path = tmp_path / "var" / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(key) >= 50 and module._local_secret_key() == key  # kept, not regenerated


def test_a_world_readable_secret_key_left_by_an_older_checkout_is_tightened(tmp_path, monkeypatch):
    import hallmark.settings as module

    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "secret_key").write_text("k" * 50)
    (tmp_path / "var" / "secret_key").chmod(0o644)
    monkeypatch.setattr(module, "VAR_DIR", tmp_path / "var")
    assert module._local_secret_key() == "k" * 50
    assert stat.S_IMODE((tmp_path / "var" / "secret_key").stat().st_mode) == 0o600


def test_a_forced_dev_ca_rewrite_tightens_an_existing_key_file(tmp_path):
    from provenance import devca

    paths = devca.create(tmp_path)
    paths.key.chmod(0o644)
    devca.create(tmp_path, force=True)
    assert stat.S_IMODE(paths.key.stat().st_mode) == 0o600


def _setting(name: str, **env) -> str:
    code = f"import django; django.setup(); from django.conf import settings; print(repr(settings.{name}))"
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_PROXY_SSL_HEADER"}
    environment.update(HALLMARK_ENV="production", DJANGO_SECRET_KEY="x" * 50, DJANGO_SETTINGS_MODULE="hallmark.settings",
                       PYTHONPATH=f"{ROOT}{os.pathsep}{ROOT / 'platform'}", **env)
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    return run.stdout.strip().splitlines()[-1]


def test_without_a_proxy_no_forwarded_header_makes_a_request_secure():
    assert _setting("SECURE_PROXY_SSL_HEADER") == "None"


def test_behind_a_proxy_its_header_is_trusted():
    assert _setting("SECURE_PROXY_SSL_HEADER", DJANGO_PROXY_SSL_HEADER="X-Forwarded-Proto") == \
        "('HTTP_X_FORWARDED_PROTO', 'https')"


@pytest.mark.django_db
def test_a_client_claiming_https_without_a_proxy_is_not_secure(client, settings):
    settings.SECURE_PROXY_SSL_HEADER = None
    from django.test import RequestFactory

    request = RequestFactory().get("/", HTTP_X_FORWARDED_PROTO="https")
    assert not request.is_secure()
