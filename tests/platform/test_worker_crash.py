"""A GPU worker killed with SIGKILL mid-job: the job is re-run elsewhere, once."""
from __future__ import annotations

import signal
import socket
import time

import pytest
import requests

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def test_a_job_survives_its_worker_being_killed(workers, start_worker, live_server, owner_key):
    from hallmark.celery import app
    from jobs.models import Job

    host = socket.gethostname()
    # A slow worker (many steps) takes the job while the regular GPU worker is paused.
    app.control.cancel_consumer("gpu", destination=[f"gpu@{host}"], reply=True, timeout=10)
    slow = start_worker("doomed", "gpu", "solo", 1, env={"HALLMARK_GENERATION_STEPS": "60"})
    try:
        response = requests.post(live_server.url + "/v1/jobs", headers={"Authorization": f"Bearer {owner_key}"},
                                 json={"prompt": "a field of sunflowers", "n": 2, "size": "256x256"}, timeout=30)
        assert response.status_code == 202
        job = Job.objects.get(pk=response.json()["id"])
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.status == "running" and job.progress_step > 0:
                break
            time.sleep(0.1)
        assert job.status == "running", job.status
        slow.proc.send_signal(signal.SIGKILL)
        slow.proc.wait(10)
    finally:
        app.control.add_consumer("gpu", destination=[f"gpu@{host}"], reply=True, timeout=10)

    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_terminal:
            break
        time.sleep(0.5)
    assert job.status == "succeeded", (job.status, job.error_message)
    assert job.attempts == 2  # the killed run, then the one that finished
    assert sorted(job.images.values_list("index", flat=True)) == [0, 1]  # one set, not two


def test_every_job_of_a_batch_survives_its_worker_being_killed(workers, start_worker, live_server, owner_key):
    from hallmark.celery import app
    from jobs.models import Job

    host = socket.gethostname()
    headers = {"Authorization": f"Bearer {owner_key}"}
    app.control.cancel_consumer("gpu", destination=[f"gpu@{host}"], reply=True, timeout=10)
    try:
        ids = []
        for prompt in ("a field of sunflowers", "a red fox in snow", "a lighthouse at dawn"):
            response = requests.post(live_server.url + "/v1/jobs", headers=headers,
                                     json={"prompt": prompt, "n": 1, "size": "256x256"}, timeout=30)
            assert response.status_code == 202
            ids.append(response.json()["id"])
        jobs = Job.objects.filter(pk__in=ids)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and jobs.filter(status="queued").exclude(decisions=[]).count() < 3:
            time.sleep(0.2)  # all three gated and waiting for a GPU
        # The slow worker starts now: its first task gathers the other two into one pass.
        slow = start_worker("doomed-batch", "gpu", "solo", 1, env={"HALLMARK_GENERATION_STEPS": "60"})
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if jobs.filter(status="running", progress_step__gt=0).count() == 3:
                break
            time.sleep(0.1)
        assert jobs.filter(status="running", attempts=1).count() == 3, list(jobs.values_list("status", flat=True))
        slow.proc.send_signal(signal.SIGKILL)
        slow.proc.wait(10)
    finally:
        app.control.add_consumer("gpu", destination=[f"gpu@{host}"], reply=True, timeout=10)

    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and jobs.exclude(status__in=Job.TERMINAL).exists():
        time.sleep(0.5)
    for job in jobs:
        assert job.status == "succeeded", (job.status, job.error_message)
        assert job.attempts == 2  # the killed batch, then the run that finished
        assert list(job.images.values_list("index", flat=True)) == [0]  # one set, not two
