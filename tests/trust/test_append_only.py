"""The database itself refuses to rewrite the audit log."""
from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from trust.audit import audit_checkpoint, audit_event
from trust.models import AuditCheckpoint, AuditContent, AuditEntry

pytestmark = pytest.mark.django_db


def refused(sql: str, params=()) -> str:
    with pytest.raises(DatabaseError) as info, transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, params)
    return str(info.value)


def test_update_of_an_entry_is_refused_by_the_database():
    entry = audit_event("test.one", data={"a": 1})
    assert "append-only" in refused("UPDATE trust_auditentry SET event = 'x' WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).event == "test.one"


def test_delete_of_an_entry_is_refused_by_the_database():
    entry = audit_event("test.one")
    assert "append-only" in refused("DELETE FROM trust_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_the_orm_cannot_update_or_delete_entries_either():
    entry = audit_event("test.one")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(actor="mallory")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()


def test_stored_prompts_cannot_be_changed_only_redacted():
    entry = audit_event("job.created", content={"prompt": "a fox"})
    assert "append-only" in refused("UPDATE trust_auditcontent SET content = '{}'::jsonb WHERE entry_id = %s", [entry.pk])
    AuditContent.objects.filter(entry=entry).delete()  # retention's path


def test_checkpoints_cannot_be_changed_or_deleted(signing_keys):
    audit_event("test.one")
    cp = audit_checkpoint()
    assert "append-only" in refused("UPDATE trust_auditcheckpoint SET seq = 0 WHERE id = %s", [cp.pk])
    assert "append-only" in refused("DELETE FROM trust_auditcheckpoint WHERE id = %s", [cp.pk])
    assert AuditCheckpoint.objects.filter(pk=cp.pk).exists()
