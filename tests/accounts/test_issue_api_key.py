"""`manage.py issue_api_key` prints the raw key last, stores only its hash, and the key works."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


def issue(*args: str) -> subprocess.CompletedProcess:
    import os

    from django.conf import settings

    env = {**os.environ, "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{settings.DATABASES['default']['NAME']}"}
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), "issue_api_key", *args], capture_output=True,
                          text=True, env=env, timeout=120)


def test_it_creates_the_user_and_prints_a_working_key_last(live_server):
    from accounts.models import ApiKey

    done = issue("partner", "--create-user", "--name", "ci")
    assert done.returncode == 0, done.stderr
    raw = done.stdout.strip().splitlines()[-1]
    stored = ApiKey.objects.get(user__username="partner")
    assert stored.name == "ci"
    assert raw not in stored.hashed_key and raw.split(".")[1] not in stored.id
    response = requests.get(live_server.url + "/v1/jobs", headers={"Authorization": f"Bearer {raw}"}, timeout=30)
    assert response.status_code == 200


def test_it_refuses_an_unknown_user_without_create_user():
    done = issue("nobody-here")
    assert done.returncode != 0
    assert "--create-user" in done.stderr
