"""No job is lost or stuck: the beat sweeper re-enqueues or fails stale jobs; attempts are capped."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


def _job(owner, **fields):
    from jobs.models import Job

    return Job.objects.create(user=owner, kind="generation", prompt="a lighthouse at dawn", n=1, size=256, **fields)


def _age(job, seconds: float):
    from django.utils import timezone

    from jobs.models import Job

    Job.objects.filter(pk=job.pk).update(updated=timezone.now() - dt.timedelta(seconds=seconds))


def _wait_terminal(job, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_terminal:
            return job
        time.sleep(0.3)
    raise AssertionError(f"job stayed {job.status}")


@pytest.mark.live
def test_a_job_whose_enqueue_never_happened_is_swept_up_and_finishes(workers, owner):
    from jobs.sweeper import job_sweep_stale

    job = _job(owner)  # stored, but no task was ever sent (the broker was down after the commit)
    _age(job, 3600)
    result = job_sweep_stale()
    assert str(job.id) in result.requeued
    job = _wait_terminal(job)
    assert job.status == "succeeded", (job.status, job.error_message)
    assert job.images.count() == 1


@pytest.mark.live
def test_a_rendered_job_whose_finish_task_was_lost_is_swept_up_and_stamped(workers, owner, monkeypatch):
    from jobs import rendering, services
    from jobs.sweeper import job_sweep_stale

    job = _job(owner, decisions=[{"surface": "prompt", "action": "allow"}])
    # The GPU step renders the job here, and the broker loses the finish task it sends.
    monkeypatch.setattr(services, "enqueue_finish", lambda job_id, attempt: None)
    assert rendering.job_generate(job_id=job.id) == "running"
    monkeypatch.undo()
    job.refresh_from_db()
    assert job.rendered and job.images.count() == 0
    _age(job, 3600)
    assert str(job.id) in job_sweep_stale().requeued
    job = _wait_terminal(job)
    assert job.status == "succeeded", (job.status, job.error_message)
    assert job.images.count() == 1 and job.attempts == 1  # stamped on the CPU queue, not rendered again


@pytest.mark.live
def test_a_job_stuck_in_moderating_is_swept_up_and_finishes(workers, owner):
    from jobs.sweeper import job_sweep_stale

    job = _job(owner, status="moderating", timings={"moderate_attempts": 1})  # its safety worker died
    _age(job, 3600)
    assert str(job.id) in job_sweep_stale().requeued
    job = _wait_terminal(job)
    assert job.status == "succeeded", (job.status, job.error_message)


def test_fresh_held_and_finished_jobs_are_left_alone(owner):
    from jobs.sweeper import job_sweep_stale

    fresh = _job(owner)
    held = _job(owner, status="held", decisions=[{"action": "review"}])
    done = _job(owner, status="succeeded")
    for job in (held, done):
        _age(job, 10 * 86400)
    result = job_sweep_stale()
    assert not {str(fresh.id), str(held.id), str(done.id)} & set(result.requeued + result.failed)


def test_a_job_waiting_for_a_gpu_is_given_the_longer_queue_deadline(owner, settings):
    from jobs.sweeper import job_sweep_stale

    settings.HALLMARK = {**settings.HALLMARK, "JOB_STALE_S": 60, "JOB_QUEUE_DEADLINE_S": 3600}
    job = _job(owner, decisions=[{"action": "allow", "surface": "prompt"}])
    _age(job, 600)  # stale for the safety side, normal for a gpu backlog
    assert str(job.id) not in job_sweep_stale().requeued
    _age(job, 7200)
    assert str(job.id) in job_sweep_stale().requeued


def test_a_job_the_sweeper_retried_too_often_fails_with_a_reason(owner, settings):
    from jobs.sweeper import job_sweep_stale

    job = _job(owner, timings={"sweeps": settings.HALLMARK["MAX_ATTEMPTS"]})
    _age(job, 3600)
    assert str(job.id) in job_sweep_stale().failed
    job.refresh_from_db()
    assert job.status == "failed" and job.error_code == "job_stuck"
    assert "no progress" in job.error_message


def test_a_running_job_with_a_live_lease_is_not_swept(owner):
    from django.utils import timezone

    from jobs.sweeper import job_sweep_stale

    job = _job(owner, status="running", decisions=[{"action": "allow"}], attempts=1,
               lease_until=timezone.now() + dt.timedelta(minutes=5))
    _age(job, 3600)
    assert str(job.id) not in job_sweep_stale().requeued


def test_a_job_that_keeps_killing_its_worker_fails_on_its_last_attempt(owner, settings):
    from django.utils import timezone

    from jobs import rendering

    # Each earlier run died mid-job (its lease lapsed); this delivery would be one too many.
    job = _job(owner, status="running", decisions=[{"action": "allow"}], attempts=settings.HALLMARK["MAX_ATTEMPTS"],
               lease_until=timezone.now() - dt.timedelta(seconds=1))
    assert rendering.job_generate(job_id=job.id) == "failed"
    job.refresh_from_db()
    assert job.error_code == "attempts_exhausted" and "attempts" in job.error_message
    assert job.images.count() == 0


def test_a_safety_check_that_keeps_killing_its_worker_fails_on_its_last_attempt(owner, settings):
    from jobs import services

    job = _job(owner, status="moderating", timings={"moderate_attempts": settings.HALLMARK["MAX_ATTEMPTS"]})
    assert services.job_moderate(job_id=job.id).status == "failed"
    job.refresh_from_db()
    assert job.error_code == "attempts_exhausted"


def test_beat_runs_the_sweeper():
    from django.conf import settings

    from hallmark.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["jobs-sweep"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
    assert entry["schedule"] <= 300


def test_database_and_broker_hiccups_are_retried():
    import django.db
    import kombu.exceptions
    import redis.exceptions

    from jobs.tasks import TRANSIENT

    for error in (django.db.OperationalError, django.db.InterfaceError, kombu.exceptions.OperationalError,
                  redis.exceptions.ConnectionError):
        assert issubclass(error, TRANSIENT), error


SQLITE_WRITERS = r"""
import os, sys, threading
import django
django.setup()
from django.db import connection, transaction
from jobs.models import Job
from django.contrib.auth import get_user_model
from django.core.management import call_command
call_command("migrate", verbosity=0)
with connection.cursor() as c:
    c.execute("PRAGMA journal_mode"); print("journal", c.fetchone()[0])
user = get_user_model().objects.create(username="w")
job = Job.objects.create(user=user, kind="generation", prompt="p")
errors = []
def writer():
    from django.db import connection as conn
    try:
        for _ in range(40):
            with transaction.atomic():  # read, then write: the pattern that died with "database is locked"
                j = Job.objects.select_for_update().get(pk=job.pk)
                j.progress_step += 1
                j.save(update_fields=["progress_step"])
    except Exception as exc:
        errors.append(repr(exc))
    finally:
        conn.close()
threads = [threading.Thread(target=writer) for _ in range(6)]
[t.start() for t in threads]; [t.join() for t in threads]
job.refresh_from_db()
print("errors", len(errors), errors[:1])
print("steps", job.progress_step)
"""


def test_the_demo_sqlite_database_serialises_concurrent_writers_without_locked_errors(tmp_path):
    env = {**os.environ, "HALLMARK_ENV": "test", "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
           "CACHE_URL": "locmemcache://", "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'platform'}"}
    run = subprocess.run([sys.executable, "-c", SQLITE_WRITERS], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=240)
    assert run.returncode == 0, run.stderr[-3000:]
    out = dict(line.split(" ", 1) for line in run.stdout.splitlines() if " " in line)
    assert out["journal"] == "wal"
    assert out["errors"].startswith("0"), out["errors"]
    assert out["steps"] == "240"  # every increment stored, none lost to a race
