"""bench/load.py, briefly, against the live server with real workers on PostgreSQL and Redis.

Asserts no 5xx, every refusal a 429 with Retry-After (the gpu queue is kept small, so some are
queue_full), every job terminal after the drain, and that --seconds bounds the run. The live server is started as wsgi.py starts a web server: its
gates load in the background (runtime.warm_gates), and the benchmark waits for /v1/health."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def _load_module():
    spec = importlib.util.spec_from_file_location("bench_load", ROOT / "bench" / "load.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_load"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_a_short_load_leaves_no_5xx_no_bare_429_and_no_stuck_job(workers, live_server, owner_key, settings):
    # A small gpu queue, so the load also meets admission control (429 queue_full), not just the minute.
    settings.HALLMARK = {**settings.HALLMARK, "RATE_LIMIT_PER_MINUTE": 400, "GPU_QUEUE_MAX_IMAGES": 2}
    from jobs import runtime

    runtime.warm_gates()  # what hallmark/wsgi.py does in gunicorn and runserver
    load = _load_module()
    report = load.run(live_server.url, owner_key, clients=8, seconds=10, max_jobs=8, drain_s=240, seed=1)
    figures = report.as_dict()
    print(figures)
    assert figures["requests"] > 50, figures
    assert figures["seconds"] <= 10 + 5 + 6, figures  # the deadline, its grace and the join's margin
    assert figures["jobs_created"] >= 1, figures
    assert figures["5xx"] == 0, figures["5xx_samples"]
    assert figures["429_without_retry_after"] == 0
    assert figures["429_codes"].get("queue_full", 0) >= 1, figures  # the queue filled and refused, with Retry-After
    assert set(figures["429_codes"]) <= {"queue_full", "rate_limit_exceeded", "server_busy"}, figures
    assert figures["non_terminal_after_drain"] == 0, figures["job_outcomes"]
    assert figures["models_p50_ms"] is not None
    assert figures["probe_n"] >= 50, figures  # the separate client asked throughout (10/s for 10 s)


def test_the_benchmark_refuses_a_non_loopback_target():
    load = _load_module()
    with pytest.raises(SystemExit):
        load.run("http://192.0.2.1:8000", "key", clients=1, seconds=1)
