"""A blocked prompt never reaches the GPU queue: asserted on the Redis queue itself."""
from __future__ import annotations

import base64
import json
import time

import pytest
import redis
import requests

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def gpu_queue_job_ids() -> set[str]:
    import os

    broker = redis.Redis.from_url(os.environ["CELERY_BROKER_URL"])
    ids = set()
    for raw in broker.lrange("gpu", 0, -1):
        message = json.loads(raw)
        body = json.loads(base64.b64decode(message["body"]))
        ids.add(body[0][0])  # the task's first positional argument: the job id
    return ids


def wait_for(job, statuses, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in statuses:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job stayed {job.status}")


def test_only_the_allowed_prompt_is_queued_for_the_gpu(workers, live_server, owner_key):
    from hallmark.celery import app
    from jobs.models import Job

    gpu = next(w for w in workers if w.name == "gpu")
    # Pause the GPU worker's consumption so the queue keeps what the gates let through.
    app.control.cancel_consumer("gpu", destination=[f"gpu@{_host()}"], reply=True, timeout=10)
    try:
        headers = {"Authorization": f"Bearer {owner_key}"}
        for prompt in ("explicit pornographic scene of two people", "a quiet harbour at sunset"):
            assert requests.post(live_server.url + "/v1/jobs", headers=headers, json={"prompt": prompt, "size": "256x256"},
                                 timeout=30).status_code == 202
        blocked = wait_for(Job.objects.get(prompt__startswith="explicit"), {"blocked"})
        allowed = Job.objects.get(prompt="a quiet harbour at sunset")
        deadline = time.monotonic() + 60
        while str(allowed.id) not in gpu_queue_job_ids() and time.monotonic() < deadline:
            time.sleep(0.2)
        queued = gpu_queue_job_ids()
        assert str(allowed.id) in queued  # the control: the queue is really observed
        assert str(blocked.id) not in queued
        assert blocked.error_code == "content_policy_violation"
    finally:
        app.control.add_consumer("gpu", destination=[f"gpu@{_host()}"], reply=True, timeout=10)
    assert gpu.proc.poll() is None
    wait_for(allowed, {"succeeded"}, timeout=180)


def _host() -> str:
    import socket

    return socket.gethostname()
