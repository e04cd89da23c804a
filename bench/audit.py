"""Audit log benchmark on PostgreSQL: appends per second with 1 and 8 parallel writers,
and the time `verify_audit` takes over 100 000 entries.

Usage: .venv/bin/python bench/audit.py [--entries 100000] [--appends 400]
It creates (and drops afterwards) its own database, `hallmark_bench_audit`, on the
PostgreSQL named by BENCH_PG (default postgres://postgres@127.0.0.1:5432).
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform as host
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = "hallmark_bench_audit"
os.environ.update({"HALLMARK_ENV": "test", "DJANGO_SETTINGS_MODULE": "hallmark.settings",
                   "DATABASE_URL": f"{PG}/{DB}", "CELERY_BROKER_URL": "memory://"})
sys.path[:0] = [str(ROOT), str(ROOT / "platform")]


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB}")
        conn.execute(f"CREATE DATABASE {DB}")


def drop_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")


def writer(worker: int, n: int, start: mp.Event, done: mp.Queue) -> None:
    import django

    django.setup()
    from trust.audit import audit_event

    start.wait()
    t0 = time.perf_counter()
    for i in range(n):
        # The shape of a real gate decision, with a prompt as redactable content every few entries.
        audit_event("gate.decision", actor=f"w{worker}", subject=f"job:{worker}-{i}",
                    data={"surface": "prompt", "action": "allow", "categories": [], "rule": "bench",
                          "scores": {"sexual": 0.01, "violence": 0.02}, "policy_version": "bench"},
                    content={"prompt": f"a fox number {i}"} if i % 4 == 0 else None)
    done.put(time.perf_counter() - t0)


def appends_per_second(writers: int, per_writer: int) -> dict:
    from django.db import connections

    connections.close_all()  # children open their own connections
    ctx = mp.get_context("fork")
    start, done = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=writer, args=(w, per_writer, start, done)) for w in range(writers)]
    for p in procs:
        p.start()
    time.sleep(3)  # every child has Django set up before the clock starts
    t0 = time.perf_counter()
    start.set()
    for p in procs:
        p.join()
    wall = time.perf_counter() - t0
    total = writers * per_writer
    return {"writers": writers, "appends": total, "seconds": round(wall, 3), "appends_per_s": round(total / wall, 1)}


def fill_to(entries: int) -> float:
    """Append a valid chain quickly (bulk inserts computed here) up to ``entries``; return seconds."""
    from django.db import transaction
    from django.utils import timezone

    from trust.audit import canonical, entry_digest, sha256
    from trust.models import AuditContent, AuditEntry, AuditHead

    t0 = time.perf_counter()
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().get(pk=1)
        seq, prev = head.seq, head.hash
        batch, contents = [], []
        while seq < entries:
            seq += 1
            created = timezone.now()
            data = {"surface": "prompt", "action": "allow", "categories": [], "rule": "bench",
                    "scores": {"sexual": 0.01}, "policy_version": "bench", "n": seq}
            content = {"prompt": f"prompt {seq}"} if seq % 4 == 0 else None
            content_hash = sha256(canonical(content)) if content else ""
            digest = entry_digest(seq=seq, created=created.isoformat(), event="gate.decision", actor="bench",
                                  subject=f"job:{seq}", data=data, content_hash=content_hash, prev_hash=prev)
            batch.append(AuditEntry(seq=seq, created=created, event="gate.decision", actor="bench", subject=f"job:{seq}",
                                    data=data, content_hash=content_hash, prev_hash=prev, entry_hash=digest))
            if content:
                contents.append((seq, content))
            prev = digest
            if len(batch) == 5000 or seq == entries:
                made = {e.seq: e for e in AuditEntry.objects.bulk_create(batch)}
                AuditContent.objects.bulk_create([AuditContent(entry=made[s], content=c) for s, c in contents])
                batch, contents = [], []
        AuditHead.objects.filter(pk=1).update(seq=seq, hash=prev)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--appends", type=int, default=400, help="appends per writer")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()

    recreate_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    try:
        one = appends_per_second(1, args.appends)
        eight = appends_per_second(8, args.appends)
        fill_s = fill_to(args.entries)
        from trust.audit import audit_checkpoint, audit_verify
        from trust.models import AuditEntry

        signed = True
        try:
            audit_checkpoint()
        except Exception as exc:  # noqa: BLE001 (no signing key here: verify the chain alone)
            signed = f"no ({exc.__class__.__name__})"
        count = AuditEntry.objects.count()
        t0 = time.perf_counter()
        result = audit_verify()
        verify_s = time.perf_counter() - t0
        assert result.ok, result.problem
        # The command as an operator runs it (process start-up included).
        t0 = time.perf_counter()
        cli = subprocess.run([sys.executable, str(ROOT / "manage.py"), "verify_audit"], env=os.environ,
                             capture_output=True, text=True)
        cli_s = time.perf_counter() - t0
        assert cli.returncode == 0, cli.stderr
        report = {
            "machine": f"{host.machine()} {os.cpu_count()} CPUs, Python {host.python_version()}",
            "append_1_writer": one, "append_8_writers": eight,
            "verify": {"entries": count, "in_process_s": round(verify_s, 2), "command_s": round(cli_s, 2),
                       "entries_per_s": round(count / verify_s), "checkpoint_signed": signed},
            "fill_s": round(fill_s, 1),
        }
        print(json.dumps(report, indent=2))
        print(f"\nappends/s: 1 writer {one['appends_per_s']}, 8 writers {eight['appends_per_s']}; "
              f"verify_audit over {count} entries: {verify_s:.2f}s in process, {cli_s:.2f}s as a command")
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database()


if __name__ == "__main__":
    main()
