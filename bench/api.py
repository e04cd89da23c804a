"""Benchmark the enqueue path against a bare DRF endpoint, and split end-to-end latency.

Run in a checkout where `make demo` has run (its SQLite database and filesystem broker), or
with DATABASE_URL / CELERY_BROKER_URL pointing at PostgreSQL and Redis:

    .venv/bin/python bench/api.py [--requests 200]

Both endpoints go through the same WSGI handler, key authentication and database in one run,
in-process (django.test.Client), so the ratio isolates what the enqueue path adds: validation,
rate/quota counters, the job row, the audit entry and the broker publish. The end-to-end split
is read from the `timings` the workers store on finished jobs (gate, queue wait, generation,
stamping).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "platform"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hallmark.settings")


def timed(call, n: int) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        out.append(time.perf_counter() - start)
    return out


def summary(name: str, samples: list[float]) -> float:
    samples = sorted(samples)
    p50 = statistics.median(samples)
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    rps = len(samples) / sum(samples)
    print(f"{name:<28} {rps:8.1f} req/s   p50 {p50 * 1000:7.2f} ms   p99 {p99 * 1000:7.2f} ms")
    return rps


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from accounts.services import api_key_create, user_get_or_create
    from jobs.models import Job

    settings.HALLMARK.update(RATE_LIMIT_PER_MINUTE=10**9, DAILY_IMAGE_QUOTA=10**9)
    user, _ = user_get_or_create(username="bench")
    _, raw = api_key_create(user=user, name="bench")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    bare = timed(lambda: client.get("/v1/models"), args.requests)
    enqueue = timed(lambda: client.post("/v1/jobs", {"prompt": "a lighthouse at dawn", "size": "256x256"},
                                        content_type="application/json"), args.requests)
    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, "
          f"broker: {settings.CELERY_BROKER_URL.split(':')[0]}, {args.requests} requests each")
    r_bare = summary("bare DRF endpoint (GET)", bare)
    r_enq = summary("enqueue (POST /v1/jobs)", enqueue)
    print(f"enqueue / bare throughput: {r_enq / r_bare:.0%} (goal >= 50%)")
    # The benchmark's own jobs would otherwise sit in the queue: cancel them.
    Job.objects.filter(user=user, status__in=["queued", "moderating"]).update(status="cancelled")

    done = [j.timings for j in Job.objects.filter(status="succeeded", size=256).order_by("-created")[:50]
            if {"gate_s", "queue_wait_s", "generation_s", "stamping_s"} <= set(j.timings)]
    if done:
        print(f"end to end, 256² on this deployment's model, median of {len(done)} finished jobs:")
        for key in ("gate_s", "queue_wait_s", "generation_s", "stamping_s"):
            print(f"  {key[:-2]:<12} {statistics.median(t[key] for t in done) * 1000:8.0f} ms")
        total = statistics.median(t["finished"] - t["created"] for t in done if "finished" in t)
        print(f"  {'total':<12} {total * 1000:8.0f} ms")
    else:
        print("no finished 256² jobs yet: run some generations (make demo) for the end-to-end split")


if __name__ == "__main__":
    main()
