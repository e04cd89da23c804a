"""Test environment: real PostgreSQL, Redis and Celery workers, set before Django starts.

pytest-django sets Django up in its (trylast) pytest_configure, after this file is
imported, so the environment below is what the settings read.
"""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"

TEST_ENV = {
    "HALLMARK_ENV": "test",
    "DJANGO_SETTINGS_MODULE": "hallmark.settings",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/hallmark",
    "CACHE_URL": "rediscache://127.0.0.1:6379/1",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/2",
    "CELERY_VISIBILITY_TIMEOUT": "8",
    "CELERY_UNACKED_RESTORE_INTERVAL": "2",
    "HALLMARK_JOB_LEASE_S": "4",
    "HALLMARK_MODEL_SOURCE": str(VAR / "test-models" / "tiny"),
    "HALLMARK_GENERATION_STEPS": "2",
    "HALLMARK_SIGNING_CERT_CHAIN": str(VAR / "test-keys" / "signer-chain.pem"),
    "HALLMARK_SIGNING_KEY": str(VAR / "test-keys" / "signer.key"),
    "HALLMARK_TRUST_ANCHORS": str(VAR / "test-keys" / "ca.pem"),
    "HALLMARK_WATERMARK_KEY": str(VAR / "test-keys" / "watermark.key"),
    "HALLMARK_SYNC_TIMEOUT_S": "180",
    "MEDIA_ROOT": str(VAR / "test-media"),
}
for name, value in TEST_ENV.items():
    os.environ.setdefault(name, value)

# Load the settings now: pytest-django then runs django.setup() in its pytest_configure.
from django.conf import settings as _settings  # noqa: E402

_settings.INSTALLED_APPS  # noqa: B018

import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import pytest  # noqa: E402

from people import PASSWORD  # noqa: E402
from processes import terminate  # noqa: E402


@pytest.fixture
def make_user(django_user_model):
    def make(username: str, **extra):
        return django_user_model.objects.create_user(username=username, password=PASSWORD,
                                                     email=f"{username}@example.com", **extra)

    return make


@pytest.fixture
def owner(make_user):
    return make_user("owner")


@pytest.fixture
def stranger(make_user):
    return make_user("stranger")


@pytest.fixture
def make_key():
    """Return a function that issues an API key and returns the raw secret."""
    from accounts.services import api_key_create

    def make(user, **kwargs) -> str:
        return api_key_create(user=user, name=kwargs.pop("name", "test"), **kwargs)[1]

    return make


@pytest.fixture
def owner_key(owner, make_key):
    return make_key(owner)


@pytest.fixture
def stranger_key(stranger, make_key):
    return make_key(stranger)


@pytest.fixture(scope="session")
def tiny_model_dir() -> Path:
    """The offline tiny unCLIP model, built once and reused across runs."""
    from generation import tiny_model

    return Path(tiny_model.build(os.environ["HALLMARK_MODEL_SOURCE"]))


@pytest.fixture(scope="session")
def signing_keys() -> Path:
    """A development CA, signing certificate and watermark key (0600, under var/) for the test run."""
    from provenance import devca
    from provenance.keys import create_key_file

    folder = Path(os.environ["HALLMARK_SIGNING_KEY"]).parent
    devca.create(folder)
    create_key_file(os.environ["HALLMARK_WATERMARK_KEY"])
    return folder


def _flush_redis() -> None:
    import redis

    for name in ("CACHE_URL", "CELERY_BROKER_URL"):  # no stale counters or tasks from a past run
        redis.Redis.from_url(os.environ[name].replace("rediscache://", "redis://")).flushdb()


_LIVE: list = []  # every worker the session started


class Worker:
    """A real Celery worker process (``manage.py worker``) on the test database."""

    def __init__(self, name: str, queues: str, pool: str, concurrency: int, db_name: str, env: dict | None = None):
        self.name = name
        self.log = VAR / "test-logs" / f"worker-{name}.log"
        self.log.parent.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db_name}", "PYTHONUNBUFFERED": "1", **(env or {})}
        self._fh = open(self.log, "w")
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "worker", "--queues", queues, "--pool", pool,
             "--concurrency", str(concurrency), "--hostname", f"{name}@%h"],
            cwd=ROOT, env=env, stdout=self._fh, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 240) -> "Worker":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker {self.name} exited:\n{self.log.read_text()[-4000:]}")
            if "Hallmark worker ready" in self.log.read_text():
                return self
            time.sleep(0.5)
        raise TimeoutError(f"worker {self.name} not ready:\n{self.log.read_text()[-4000:]}")

    def stop(self) -> None:
        terminate(self.proc)
        self._fh.close()


@pytest.fixture(scope="session")
def start_worker(django_db_setup, django_db_blocker, tiny_model_dir, signing_keys):
    """Return a function that starts a worker on the test database; all are stopped at the end."""
    from django.conf import settings

    db_name = settings.DATABASES["default"]["NAME"]
    started: list[Worker] = []

    def start(name: str, queues: str = "safety,gpu", pool: str = "solo", concurrency: int = 1,
              env: dict | None = None, wait: bool = True) -> Worker:
        worker = Worker(name, queues, pool, concurrency, db_name, env)
        started.append(worker)
        _LIVE.append(worker)
        return worker.wait_ready() if wait else worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture(scope="session")
def workers(start_worker):
    """The standard pair: a CPU `safety` worker and a `gpu` worker."""
    _flush_redis()
    return [start_worker("safety", "safety", "threads", 2), start_worker("gpu", "gpu", "solo", 1)]


@pytest.fixture(autouse=True)
def _idle_workers_before_flush(request):
    """Cancel what a test left queued and wait for the workers to go idle.

    Otherwise a worker can still be moving a job while pytest-django truncates the
    tables after a transactional test, and PostgreSQL resolves that as a deadlock."""
    yield
    marker = request.node.get_closest_marker("django_db")
    if not marker or not marker.kwargs.get("transaction") or not any(w.proc.poll() is None for w in _LIVE):
        return
    from hallmark.celery import app
    from jobs.models import Job

    Job.objects.exclude(status__in=[*Job.TERMINAL, Job.Status.HELD]).update(status=Job.Status.CANCELLED)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        inspect = app.control.inspect(timeout=1)
        busy = [tasks for reply in (inspect.active() or {}, inspect.reserved() or {}) for tasks in reply.values() if tasks]
        if not busy:
            return
        time.sleep(0.2)
