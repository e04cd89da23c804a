"""Raw-SQL tampering, the way an attacker with database access would rewrite history; gate decisions to block with."""
from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

TRIGGERS = {"trust_auditentry": "trust_auditentry_append_only", "trust_auditcontent": "trust_auditcontent_no_update",
            "trust_auditcheckpoint": "trust_auditcheckpoint_append_only"}


def tamper(sql: str, params=(), table: str = "trust_auditentry") -> None:
    """Run ``sql`` with the append-only trigger of ``table`` switched off (as a table owner could)."""
    with connection.cursor() as cur:
        cur.execute(f"ALTER TABLE {table} DISABLE TRIGGER {TRIGGERS[table]}")
        cur.execute(sql, params)
        cur.execute(f"ALTER TABLE {table} ENABLE TRIGGER {TRIGGERS[table]}")


def verify_command() -> tuple[int, str]:
    """Run `manage.py verify_audit` in-process; return (exit code, message)."""
    from io import StringIO

    out = StringIO()
    try:
        call_command("verify_audit", stdout=out)
    except CommandError as exc:
        return exc.returncode, str(exc)
    return 0, out.getvalue()


def gate_decision(*categories: str, evidence: dict[str, str] | None = None, rule: str = "test", tier: str = "none"):
    """Return a blocking moderation.Decision for ``categories``, as the input gates hand it to enforcement."""
    from moderation import Decision

    return Decision(action="block", categories=tuple(categories), scores={}, rule=rule, reason="blocked in a test",
                    policy_version="test", surface="prompt", tier=tier, evidence=evidence or {})
