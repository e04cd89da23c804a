"""Each way of rewriting history through raw SQL is caught, at the exact entry."""
from __future__ import annotations

import base64

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
import datetime as dt

from trust.audit import audit_checkpoint, audit_event, canonical, entry_digest
from trust.models import AuditEntry

from trust_helpers import tamper, verify_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def log():
    """Ten entries, the third with a prompt; return them by seq."""
    entries = [audit_event("test.n", subject=f"job:{i}", data={"i": i}, content={"prompt": f"p{i}"} if i == 3 else None)
               for i in range(1, 11)]
    return {e.seq: e for e in entries}


def nth(log, n):
    return log[min(log) + n - 1]


def assert_broken_at(entry_seq, entry_id, kind):
    code, message = verify_command()
    assert code == 1, message
    assert f"seq={entry_seq}" in message and kind in message, message
    if entry_id is not None:
        assert f"id={entry_id} " in message, message


def test_a_changed_field_is_reported_as_content_changed_at_that_entry(log):
    target = nth(log, 5)
    tamper("UPDATE trust_auditentry SET data = %s::jsonb WHERE id = %s", ['{"i": 500}', target.pk])
    assert_broken_at(target.seq, target.pk, "content_changed")


def test_a_changed_actor_is_reported_at_that_entry(log):
    target = nth(log, 2)
    tamper("UPDATE trust_auditentry SET actor = 'someone-else' WHERE id = %s", [target.pk])
    assert_broken_at(target.seq, target.pk, "content_changed")


def test_a_changed_prompt_is_reported_at_its_entry(log):
    target = nth(log, 3)
    tamper("UPDATE trust_auditcontent SET content = %s::jsonb WHERE entry_id = %s", ['{"prompt": "innocent"}', target.pk],
           table="trust_auditcontent")
    assert_broken_at(target.seq, target.pk, "content_changed")


def test_a_rewired_link_is_reported_as_link_broken_at_that_entry(log):
    target = nth(log, 6)
    # A careful attacker re-hashes the entry so that it is consistent in itself.
    fake_prev = "f" * 64
    digest = entry_digest(seq=target.seq, created=target.created.isoformat(), event=target.event, actor=target.actor,
                          subject=target.subject, data=target.data, content_hash=target.content_hash, prev_hash=fake_prev)
    tamper("UPDATE trust_auditentry SET prev_hash = %s, entry_hash = %s WHERE id = %s", [fake_prev, digest, target.pk])
    assert_broken_at(target.seq, target.pk, "link_broken")


def test_a_rewritten_and_rehashed_entry_breaks_the_next_link(log):
    target, after = nth(log, 4), nth(log, 5)
    data = {"i": 400}
    digest = entry_digest(seq=target.seq, created=target.created.isoformat(), event=target.event, actor=target.actor,
                          subject=target.subject, data=data, content_hash=target.content_hash, prev_hash=target.prev_hash)
    tamper("UPDATE trust_auditentry SET data = %s::jsonb, entry_hash = %s WHERE id = %s",
           [canonical(data).decode(), digest, target.pk])
    assert_broken_at(after.seq, after.pk, "link_broken")


def test_a_deleted_entry_is_reported_as_missing_at_its_seq(log):
    target = nth(log, 7)
    tamper("DELETE FROM trust_auditentry WHERE id = %s", [target.pk])
    assert_broken_at(target.seq, None, "entry_missing")


def test_a_deleted_first_entry_is_reported_as_missing(log):
    target = nth(log, 1)
    tamper("DELETE FROM trust_auditentry WHERE id = %s", [target.pk])
    assert_broken_at(target.seq, None, "entry_missing")


def test_a_tail_cut_after_a_checkpoint_is_detected_even_if_the_head_is_rewound(log, signing_keys):
    audit_checkpoint()
    last, cut_from = nth(log, 10), nth(log, 9)
    tamper("DELETE FROM trust_auditentry WHERE seq >= %s", [cut_from.seq])
    # The attacker also rewinds the head row, so only the signed checkpoint knows.
    with __import__("django.db").db.connection.cursor() as cur:
        cur.execute("UPDATE trust_audithead SET seq = %s, hash = %s", [nth(log, 8).seq, nth(log, 8).entry_hash])
    assert_broken_at(cut_from.seq, None, "tail_truncated")
    assert last.seq > cut_from.seq


def test_a_checkpoint_rewritten_with_a_key_of_the_attackers_own_is_refused(log, signing_keys):
    cp = audit_checkpoint()
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "attacker")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + dt.timedelta(days=1)).sign(key, hashes.SHA256()))
    from trust.audit import checkpoint_message

    message = checkpoint_message(seq=cp.seq, entry_hash=cp.entry_hash, created=cp.created.isoformat())
    signature = base64.b64encode(key.sign(message, ec.ECDSA(hashes.SHA256()))).decode()
    tamper("UPDATE trust_auditcheckpoint SET signature = %s, certificate = %s WHERE id = %s",
           [signature, cert.public_bytes(serialization.Encoding.PEM).decode(), cp.pk], table="trust_auditcheckpoint")
    assert_broken_at(cp.seq, None, "checkpoint_invalid")


def test_a_chain_rewritten_behind_a_checkpoint_does_not_match_it(log, signing_keys):
    cp = audit_checkpoint()
    target = nth(log, 10)
    data = {"i": 1000}
    digest = entry_digest(seq=target.seq, created=target.created.isoformat(), event=target.event, actor=target.actor,
                          subject=target.subject, data=data, content_hash=target.content_hash, prev_hash=target.prev_hash)
    tamper("UPDATE trust_auditentry SET data = %s::jsonb, entry_hash = %s WHERE id = %s",
           [canonical(data).decode(), digest, target.pk])
    assert cp.seq == target.seq
    assert_broken_at(target.seq, target.pk, "checkpoint_mismatch")


def test_the_intact_log_passes(log):
    assert verify_command()[0] == 0
    assert AuditEntry.objects.count() == 10
