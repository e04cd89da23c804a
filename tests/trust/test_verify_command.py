"""`manage.py verify_audit` as an operator runs it: exit 0 on an intact log, 1 naming the first bad entry."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from trust.audit import audit_event

from trust_helpers import tamper

ROOT = Path(__file__).resolve().parents[2]


def run_verify(*args) -> subprocess.CompletedProcess:
    db = settings.DATABASES["default"]
    env = {**os.environ, "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"}
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), "verify_audit", *args], env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.django_db(transaction=True)
def test_the_command_exits_0_then_1_naming_the_entry_after_tampering():
    entries = [audit_event("test.n", data={"i": i}) for i in range(6)]
    ok = run_verify()
    assert ok.returncode == 0 and "OK: 6 entries" in ok.stdout, ok.stderr
    target = entries[3]
    tamper("UPDATE trust_auditentry SET subject = 'job:forged' WHERE id = %s", [target.pk])
    broken = run_verify()
    assert broken.returncode == 1
    assert f"BROKEN at entry id={target.pk} seq={target.seq}: content_changed" in broken.stderr
    as_json = run_verify("--json")
    assert as_json.returncode == 1 and f'"entry_id": {target.pk}' in as_json.stdout
