"""Faults in the middle of jobs: the broker restarts, then the database refuses connections.

Each job ends succeeded, or failed with a reason; none stays non-terminal; none is stored
twice. Self-contained and loopback only: the broker is this test's own redis-server on a free
port (the shared Redis on 6379 is never touched), and the workers reach PostgreSQL through a
small TCP proxy the test owns, which it switches to refusing and cutting connections for a few
seconds (PostgreSQL itself is never disturbed). Real services, real workers; bounded in time."""
from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import threading
import time

import pytest

from processes import terminate

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
        self.proc = subprocess.Popen([shutil.which("redis-server") or "/usr/bin/redis-server", "--port", str(self.port),
                                      "--bind", "127.0.0.1", "--dir", str(self.folder), "--appendonly", "yes",
                                      "--appendfsync", "always", "--save", ""],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(64).startswith(b"+PONG"):  # not "-LOADING": the AOF is read back
                    return self
            time.sleep(0.1)
        raise TimeoutError("redis-server did not start")

    def stop(self) -> None:
        terminate(self.proc)


class CuttableProxy:
    """A loopback TCP proxy to PostgreSQL that can refuse, and cut, every connection for a while.

    ``cut()`` closes the listening socket (new connections get ECONNREFUSED) and shuts down
    every open pair; ``restore()`` listens again on the same port."""

    def __init__(self, target: tuple[str, int], port: int):
        self.target, self.port = target, port
        self.listener: socket.socket | None = None
        self.pairs: set[tuple[socket.socket, socket.socket]] = set()
        self.lock = threading.Lock()
        self.stopped = threading.Event()

    def start(self) -> "CuttableProxy":
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True, name="db-proxy").start()
        return self

    def _accept(self, listener: socket.socket) -> None:
        while not self.stopped.is_set():
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed by cut() or stop()
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            pair = (client, upstream)
            with self.lock:
                self.pairs.add(pair)
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst, pair), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, pair) -> None:
        try:
            while chunk := src.recv(65536):
                dst.sendall(chunk)
        except OSError:
            pass
        finally:
            self._close(pair)

    def _close(self, pair) -> None:
        with self.lock:
            self.pairs.discard(pair)
        for sock in pair:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()

    def cut(self) -> None:
        if self.listener is not None:
            with contextlib.suppress(OSError):
                self.listener.shutdown(socket.SHUT_RDWR)
            self.listener.close()
            self.listener = None
        with self.lock:
            pairs = list(self.pairs)
        for pair in pairs:
            self._close(pair)

    def restore(self) -> None:
        self.start()

    def stop(self) -> None:
        self.stopped.set()
        self.cut()


@contextlib.contextmanager
def publishing_to(url: str):
    """Point this process's Celery producer (job_create's enqueue, the sweeper) at ``url`` for a while."""
    from kombu import pools

    from hallmark.celery import app

    def reset():
        # kombu keeps one pool per broker URL in a global registry: reset it, or a pool closed
        # here is handed out again (the teardown's app.control.inspect got "Acquire on closed pool").
        pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    # The producer connects to broker_write_url, which Celery fills in from broker_url once.
    names = ("broker_url", "broker_write_url", "broker_read_url")
    old = {name: app.conf[name] for name in names}
    app.conf.update({name: url for name in names})
    reset()
    try:
        yield
    finally:
        app.conf.update(old)
        reset()


def _wait(predicate, timeout: float, every: float = 0.3) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if predicate():
                return True
        time.sleep(every)
    return False


def test_jobs_survive_a_broker_restart_and_a_database_outage(start_worker, owner, settings, tmp_path):
    from django.db import connection

    from jobs import services
    from jobs.models import Image, Job
    from jobs.sweeper import job_sweep_stale

    db = settings.DATABASES["default"]
    redis = OwnRedis(tmp_path, _free_port()).start()
    proxy = CuttableProxy((db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432)), _free_port()).start()
    broker = f"redis://127.0.0.1:{redis.port}/0"
    env = {"CELERY_BROKER_URL": broker, "HALLMARK_GENERATION_STEPS": "12",
           "DATABASE_URL": f"postgres://{db['USER']}@127.0.0.1:{proxy.port}/{db['NAME']}"}
    workers = []

    def running(ids) -> bool:
        return Job.objects.filter(pk__in=ids, status="running", progress_step__gt=0).exists()

    try:
        workers = [start_worker("fault-safety", "safety", "threads", 2, env=env, wait=False),
                   start_worker("fault-gpu", "gpu", "solo", 1, env=env, wait=False)]
        for worker in workers:  # started side by side: each trains its gates (minutes on a busy machine)
            worker.wait_ready(timeout=600)
        with publishing_to(broker):
            jobs = [services.job_create(user=owner, kind="generation", prompt=f"a lighthouse, take {i}", n=2, size=256)
                    for i in range(4)]
        ids = [job.id for job in jobs]
        assert _wait(lambda: running(ids), 180), list(Job.objects.filter(pk__in=ids).values("status", "error_code"))

        # 1. The broker goes away mid-job and comes back (its append-only file keeps the queue).
        redis.stop()
        time.sleep(2)
        redis.start()
        terminal_before = set(Job.objects.filter(pk__in=ids, status__in=Job.TERMINAL).values_list("pk", flat=True))
        assert _wait(lambda: Job.objects.filter(pk__in=ids, status="running", progress_step__gt=0)
                     .exclude(pk__in=terminal_before).exists(), 180)

        # 2. The database refuses the workers' connections for a few seconds, a job running: longer
        # than the 2 + 4 s the tasks' retries used to allow before they failed the job.
        proxy.cut()
        time.sleep(8)
        proxy.restore()

        # The sweeper (beat in production) picks up what no worker holds any more.
        settings.HALLMARK = {**settings.HALLMARK, "JOB_STALE_S": 15, "JOB_QUEUE_DEADLINE_S": 60}

        def all_terminal() -> bool:
            connection.close()
            with publishing_to(broker):
                job_sweep_stale()
            return Job.objects.filter(pk__in=ids).exclude(status__in=Job.TERMINAL).count() == 0

        finished = _wait(all_terminal, 240, every=3)
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
        proxy.stop()
        redis.stop()
