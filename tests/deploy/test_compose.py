"""docker-compose.yml: what production needs, and accepted by `docker compose config`."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _compose_command() -> list[str] | None:
    """Return the Compose CLI here: the docker plugin, else the standalone docker-compose."""
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_it_runs_every_production_service():
    assert {"postgres", "redis", "web", "worker-safety", "worker-gpu"} <= set(COMPOSE["services"])


def test_the_gpu_worker_reserves_an_nvidia_device_and_consumes_only_the_gpu_queue():
    gpu = COMPOSE["services"]["worker-gpu"]
    devices = gpu["deploy"]["resources"]["reservations"]["devices"]
    assert devices[0]["driver"] == "nvidia" and "gpu" in devices[0]["capabilities"]
    assert gpu["command"][gpu["command"].index("--queues") + 1] == "gpu"


def test_no_secret_is_written_in_the_file():
    text = (ROOT / "docker-compose.yml").read_text()
    for name in ("DJANGO_SECRET_KEY", "POSTGRES_PASSWORD"):
        assert f"{name}: ${{{name}:?" in text  # required from the environment, no default


@pytest.mark.skipif(_compose_command() is None and not os.environ.get("CI"),
                    reason="no Compose CLI here (make test installs Debian's docker-compose)")
def test_docker_compose_accepts_the_file():
    env = {**os.environ, "DJANGO_SECRET_KEY": "x", "POSTGRES_PASSWORD": "y"}
    command = _compose_command()
    assert command is not None, "no Compose CLI: scripts/system-packages.sh installs docker-compose"
    done = subprocess.run([*command, "-f", str(ROOT / "docker-compose.yml"), "config", "--quiet"],
                          capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
