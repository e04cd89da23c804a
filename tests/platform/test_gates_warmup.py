"""The web process loads its gates at start, in the background: requests meanwhile fail closed (503), none waits minutes."""
from __future__ import annotations

import threading

import pytest
from rest_framework.test import APIClient

from jobs import runtime

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counters(fresh_counters):
    """Every test here starts with no counters."""


@pytest.fixture
def unloaded(monkeypatch):
    """This process as a web server sees it at start: gates not loaded, no warm-up begun."""
    runtime.moderator.cache_clear()
    monkeypatch.setattr(runtime, "_gates_ready", threading.Event())
    monkeypatch.setattr(runtime, "_warming", None)


def test_while_the_gates_load_moderation_fails_closed_with_503_and_health_says_starting(unloaded, monkeypatch, api, settings):
    settings.HALLMARK = {**settings.HALLMARK, "GATES_WAIT_S": 0.1}
    monkeypatch.setattr(runtime, "_warming", threading.Thread())  # a warm-up begun, not yet done
    response = api.post("/v1/moderations", {"input": "a quiet lake"}, format="json")
    assert response.status_code == 503, response.content
    assert response.json()["error"]["code"] == "moderation_unavailable" and response["Retry-After"] == "5"
    health = APIClient().get("/v1/health")
    assert health.status_code == 503 and health.json() == {"status": "starting", "gates": "loading"}


def test_the_wsgi_module_loads_the_gates_in_the_background_then_moderation_answers(unloaded, api):
    import importlib
    import sys

    sys.modules.pop("hallmark.wsgi", None)
    importlib.import_module("hallmark.wsgi")  # what gunicorn and runserver do at start
    assert runtime._warming is not None
    assert runtime._gates_ready.wait(600), "the gates did not load"
    assert APIClient().get("/v1/health").json() == {"status": "ok", "gates": "ready"}
    response = api.post("/v1/moderations", {"input": "a quiet lake"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["results"][0]["flagged"] is False
