"""The chain: appends link up, prompts can be redacted, checkpoints are signed and checked."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from trust.audit import GENESIS, audit_checkpoint, audit_event, audit_redact, audit_verify
from trust.models import AuditCheckpoint, AuditContent, AuditEntry

from trust_helpers import verify_command

pytestmark = pytest.mark.django_db


def test_each_entry_links_to_the_previous_ones_hash():
    first = audit_event("test.one", data={"a": 1})
    second = audit_event("test.two", actor="alice", subject="job:x", data={"b": [1, 2.5, None]})
    assert (first.seq, second.seq) == (first.seq, first.seq + 1)
    assert second.prev_hash == first.entry_hash
    assert AuditEntry.objects.order_by("seq").first().prev_hash == GENESIS
    assert audit_verify().ok


def test_it_stores_exactly_what_it_hashed_even_for_awkward_values():
    audit_event("test.values", data={"nan": float("nan"), "tiny": 1e-7, "big": 2**60, "text": "猫 \u00e9", "nested": {"z": 1, "a": 2}})
    result = audit_verify()
    assert result.ok, result.problem


def test_the_prompt_is_kept_apart_and_hashed():
    entry = audit_event("job.created", subject="job:1", content={"prompt": "a fox"})
    assert AuditContent.objects.get(entry=entry).content == {"prompt": "a fox"}
    assert entry.content_hash and "fox" not in str(entry.data)


def test_redacting_prompts_keeps_the_chain_intact_and_is_itself_audited():
    old = audit_event("job.created", subject="job:1", content={"prompt": "an old secret"})
    count = audit_redact(before=timezone.now() + dt.timedelta(seconds=1))
    assert count == 1
    assert not AuditContent.objects.filter(entry=old).exists()
    assert AuditEntry.objects.get(pk=old.pk).content_hash == old.content_hash
    assert AuditEntry.objects.order_by("-seq").first().event == "audit.redacted"
    assert audit_verify().ok


def test_a_prompt_deleted_without_a_redaction_entry_is_reported():
    entry = audit_event("job.created", subject="job:1", content={"prompt": "quietly removed"})
    audit_event("test.after")
    AuditContent.objects.filter(entry=entry).delete()  # content rows may be deleted, but only retention may do it
    result = audit_verify()
    assert not result.ok
    assert (result.problem.kind, result.problem.entry_id) == ("content_missing", entry.pk)


def test_a_checkpoint_signs_the_head_and_verifies(signing_keys):
    audit_event("test.one")
    head = audit_event("test.two")
    cp = audit_checkpoint()
    assert (cp.seq, cp.entry_hash) == (head.seq, head.entry_hash)
    assert audit_checkpoint() is None  # nothing new to sign
    result = audit_verify()
    assert result.ok and result.checkpoints == 1
    assert verify_command()[0] == 0


def test_the_verify_command_says_ok_on_an_intact_log():
    for i in range(5):
        audit_event("test.n", data={"i": i})
    code, out = verify_command()
    assert code == 0 and "OK: 5 entries" in out


def test_verify_notes_entries_not_yet_covered_by_a_checkpoint(signing_keys):
    audit_event("test.one")
    audit_checkpoint()
    audit_event("test.two")
    result = audit_verify()
    assert result.ok and result.notes and "not yet covered" in result.notes[0]
    assert AuditCheckpoint.objects.count() == 1
