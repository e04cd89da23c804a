"""Many processes appending at once on PostgreSQL: one chain, no forks, no gaps."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from trust.audit import audit_verify
from trust.models import AuditEntry

ROOT = Path(__file__).resolve().parents[2]
WRITER = """
import os, sys, time
sys.path[:0] = [{root!r}, {platform!r}]
import django
django.setup()
from django.db import transaction
from trust.audit import audit_event
gate, worker, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
open(f"{{gate}}.ready{{worker}}", "w").close()
while not os.path.exists(gate):  # start together, once every process has Django loaded
    time.sleep(0.005)
for i in range(n):
    if i % 3 == 0:
        # Some appends share a transaction with other work, as the job flow's do.
        with transaction.atomic():
            audit_event("parallel.pair", actor=f"w{{worker}}", data={{"i": i, "part": 1}})
            audit_event("parallel.pair", actor=f"w{{worker}}", data={{"i": i, "part": 2}}, content={{"prompt": f"p{{i}}"}})
    else:
        audit_event("parallel.one", actor=f"w{{worker}}", subject=f"worker:{{worker}}", data={{"i": i}})
"""


@pytest.mark.django_db(transaction=True)
def test_eight_processes_appending_at_once_leave_one_intact_chain(tmp_path):
    writers, per_writer = 8, 30
    db = settings.DATABASES["default"]
    env = {**os.environ, "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"}
    code = WRITER.format(root=str(ROOT), platform=str(ROOT / "platform"))
    gate = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", code, str(gate), str(w), str(per_writer)], env=env,
                              stderr=subprocess.PIPE) for w in range(writers)]
    deadline = time.monotonic() + 120
    while len(list(tmp_path.glob("go.ready*"))) < writers and time.monotonic() < deadline:
        assert all(p.poll() is None for p in procs), "a writer died before starting"
        time.sleep(0.05)
    gate.touch()
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()[-2000:]
    pairs = len(range(0, per_writer, 3))
    expected = writers * (per_writer + pairs)
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, expected + 1))  # no gaps, no duplicates
    assert AuditEntry.objects.values("prev_hash").distinct().count() == expected  # no forks
    # Interleaved: writers really ran at the same time.
    actors = list(AuditEntry.objects.order_by("seq").values_list("actor", flat=True))
    switches = sum(1 for a, b in zip(actors, actors[1:]) if a != b)
    assert switches > writers
    result = audit_verify()
    assert result.ok and result.entries == expected, result.problem
    # Each pair written in one transaction stays adjacent: the head lock is held to commit.
    pair_rows = list(AuditEntry.objects.filter(event="parallel.pair").order_by("seq").values_list("seq", "data"))
    for (s1, d1), (s2, d2) in zip(pair_rows[::2], pair_rows[1::2]):
        assert (s2 - s1, d1["part"], d2["part"]) == (1, 1, 2)
