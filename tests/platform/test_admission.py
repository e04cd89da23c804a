"""A full gpu queue refuses new image work with 429 queue_full and Retry-After; a sync wait is bounded."""
from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.django_db

JOB = {"kind": "generation", "prompt": "a teapot on a table", "n": 2, "size": "256x256"}


@pytest.fixture(autouse=True)
def _fresh_counters(fresh_counters):
    """Every test here starts with no counters."""


def test_a_full_gpu_queue_answers_429_queue_full_with_retry_after(settings, api):
    settings.HALLMARK = {**settings.HALLMARK, "GPU_QUEUE_MAX_IMAGES": 2, "GPU_QUEUE_RETRY_AFTER_S": 7}
    assert api.post("/v1/jobs", JOB, format="json").status_code == 202  # (no worker runs here: it stays queued)
    for path, body in (("/v1/jobs", JOB), ("/v1/images/generations", {"prompt": "a cat", "size": "256x256"})):
        response = api.post(path, body, format="json")
        assert response.status_code == 429, response.content
        error = response.json()["error"]
        assert error["code"] == "queue_full" and error["type"] == "rate_limit_error"
        assert response["Retry-After"] == "7"


def test_a_refusal_for_a_full_queue_spends_no_quota(settings, api, owner):
    from django.core.cache import cache

    settings.HALLMARK = {**settings.HALLMARK, "GPU_QUEUE_MAX_IMAGES": 2}
    assert api.post("/v1/jobs", JOB, format="json").status_code == 202
    assert api.post("/v1/jobs", JOB, format="json").status_code == 429
    assert cache.get(f"quota:user:{owner.pk}:{int(time.time()) // 86400}") == 2


def test_held_and_finished_jobs_do_not_fill_the_queue(settings, api, owner):
    from jobs.models import Job

    settings.HALLMARK = {**settings.HALLMARK, "GPU_QUEUE_MAX_IMAGES": 2}
    for status in (Job.Status.HELD, Job.Status.SUCCEEDED, Job.Status.FAILED):
        Job.objects.create(user=owner, kind="generation", prompt="x", n=2, status=status)
    assert api.post("/v1/jobs", JOB, format="json").status_code == 202


def test_models_answers_while_the_queue_is_full(settings, api):
    settings.HALLMARK = {**settings.HALLMARK, "GPU_QUEUE_MAX_IMAGES": 2}
    api.post("/v1/jobs", JOB, format="json")
    assert api.post("/v1/jobs", JOB, format="json").status_code == 429
    assert api.get("/v1/models").status_code == 200


def test_a_sync_wait_past_its_timeout_answers_409_job_pending_with_the_job_id(settings, api):
    settings.HALLMARK = {**settings.HALLMARK, "SYNC_TIMEOUT_S": 0.5}
    started = time.monotonic()
    response = api.post("/v1/images/generations", {"prompt": "a cat", "size": "256x256"}, format="json")
    assert time.monotonic() - started < 5
    assert response.status_code == 409, response.content
    assert response["x-should-retry"] == "false"
    error = response.json()["error"]
    assert error["code"] == "job_pending"
    job = api.get(f"/v1/jobs/{error['job_id']}")
    assert job.status_code == 200 and job.json()["status"] == "queued"
