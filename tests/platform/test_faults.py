"""Faults in the middle of jobs: the broker restarts, then the database refuses connections.

Each job ends succeeded, or failed with a reason; none stays non-terminal; none is stored
twice. The broker is this test's own redis-server on a loopback port (the shared Redis on
6379 is never touched); the outage affects only this session's test database."""
from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time

import psycopg
import pytest

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OwnRedis:
    """A throwaway redis-server with the production persistence (append-only file)."""

    def __init__(self, folder, port: int):
        self.folder, self.port, self.proc = folder, port, None

    def start(self) -> "OwnRedis":
        self.proc = subprocess.Popen([shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1",
                                      "--dir", str(self.folder), "--appendonly", "yes", "--save", ""],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return self
            time.sleep(0.1)
        raise TimeoutError("redis-server did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(20)


@contextlib.contextmanager
def publishing_to(url: str):
    """Point this process's Celery producer (job_create's enqueue) at ``url`` for a while."""
    from hallmark.celery import app

    def reset():
        if app._pool is not None:
            app._pool.force_close_all()
        app._pool = None
        app.amqp._producer_pool = None

    old = app.conf.broker_url
    app.conf.broker_url = url
    reset()
    try:
        yield
    finally:
        app.conf.broker_url = old
        reset()


@contextlib.contextmanager
def database_refusing(name: str, seconds: float):
    """Make PostgreSQL refuse, and cut, every connection to database ``name`` for ``seconds``."""
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        try:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                          "AND pid <> pg_backend_pid()", [name])
            time.sleep(seconds)
            yield
        finally:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


def _wait(predicate, timeout: float, every: float = 0.3):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if predicate():
                return True
        time.sleep(every)
    return False


def test_jobs_survive_a_broker_restart_and_a_database_outage(start_worker, owner, settings, tmp_path):
    from django.db import close_old_connections, connection

    from jobs import services
    from jobs.models import Image, Job
    from jobs.sweeper import job_sweep_stale

    redis = OwnRedis(tmp_path, _free_port()).start()
    broker = f"redis://127.0.0.1:{redis.port}/0"
    env = {"CELERY_BROKER_URL": broker, "HALLMARK_GENERATION_STEPS": "12"}
    workers = []
    try:
        workers = [start_worker("fault-safety", "safety", "threads", 2, env=env),
                   start_worker("fault-gpu", "gpu", "solo", 1, env=env)]
        with publishing_to(broker):
            jobs = [services.job_create(user=owner, kind="generation", prompt=f"a lighthouse, take {i}", n=2, size=256)
                    for i in range(4)]
        ids = [job.id for job in jobs]
        assert _wait(lambda: Job.objects.filter(pk__in=ids, status="running", progress_step__gt=0).exists(), 180)

        # 1. The broker goes away mid-job and comes back (its append-only file keeps the queue).
        redis.stop()
        time.sleep(2)
        redis.start()
        assert _wait(lambda: Job.objects.filter(pk__in=ids, status="running", progress_step__gt=0).exists() or
                     Job.objects.filter(pk__in=ids, status="succeeded").count() >= 2, 180)

        # 2. The database refuses connections for a few seconds, with a job running.
        connection.close()
        with database_refusing(settings.DATABASES["default"]["NAME"], seconds=5):
            pass
        close_old_connections()

        # The sweeper (beat in production) picks up what no worker holds any more.
        settings.HALLMARK = {**settings.HALLMARK, "JOB_STALE_S": 10, "JOB_QUEUE_DEADLINE_S": 30}

        def all_terminal() -> bool:
            with publishing_to(broker):
                job_sweep_stale()
            return Job.objects.filter(pk__in=ids).exclude(status__in=Job.TERMINAL).count() == 0

        finished = _wait(all_terminal, 300, every=3)
        outcomes = {str(j.id): (j.status, j.error_code, j.error_message, j.attempts) for j in Job.objects.filter(pk__in=ids)}
        print(outcomes)
        assert finished, outcomes
        for job in Job.objects.filter(pk__in=ids):
            assert job.status in ("succeeded", "failed"), (job.id, job.status)
            if job.status == "failed":
                assert job.error_code and job.error_message  # a reason, not a silent stop
            indexes = list(Image.objects.filter(job=job).values_list("index", flat=True))
            assert len(indexes) == len(set(indexes))  # none stored twice
            assert sorted(indexes) == ([0, 1] if job.status == "succeeded" else [])
        assert Job.objects.filter(pk__in=ids, status="succeeded").exists()
    finally:
        for worker in workers:
            worker.stop()
        redis.stop()
