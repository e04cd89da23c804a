"""The append-only, hash-chained audit log: append, checkpoint, redact, verify.

Each entry's ``entry_hash`` is the SHA-256 of its canonical serialisation, which
includes the previous entry's hash; a signed checkpoint of the head makes a cut
tail detectable too. Prompts live in AuditContent: retention may delete them,
the entry keeps their hash.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .audit_models import GENESIS, AuditCheckpoint, AuditContent, AuditEntry, AuditHead

__all__ = ["GENESIS", "audit_event", "audit_checkpoint", "audit_redact", "audit_verify", "VerifyResult", "Problem",
           "CheckpointUnavailable", "canonical", "entry_digest"]


class CheckpointUnavailable(Exception):
    """The signing key or certificate is not configured or not readable."""


def _clean(value: Any) -> Any:
    """Return ``value`` with what JSON cannot carry (NaN, infinities) as strings."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def canonical(value: Any) -> bytes:
    """Return the one serialisation that hashes are taken over."""
    return json.dumps(_clean(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def entry_digest(*, seq: int, created: str, event: str, actor: str, subject: str, data: dict, content_hash: str,
                 prev_hash: str) -> str:
    """Return the hash of one entry's canonical serialisation."""
    return sha256(canonical({"seq": seq, "created": created, "event": event, "actor": actor, "subject": subject,
                             "data": data, "content_hash": content_hash, "prev": prev_hash}))


def _actor_name(actor) -> str:
    if isinstance(actor, str):
        return actor or "system"
    return getattr(actor, "username", None) or "system"


def audit_event(event: str, *, actor=None, subject: str = "", data: dict | None = None,
                content: dict | None = None) -> AuditEntry:
    """Append one entry. ``content`` holds what retention may redact later (prompts).

    Call it inside the caller's transaction: the entry commits (or rolls back) with
    the change it records, and the head stays locked until then, so the chain has
    no gaps."""
    data = json.loads(canonical(data or {}))  # what is stored is exactly what was hashed
    content = json.loads(canonical(content)) if content is not None else None
    content_hash = sha256(canonical(content)) if content is not None else ""
    with transaction.atomic():
        seq, prev_hash = _take_next_seq()
        created = timezone.now()
        digest = entry_digest(seq=seq, created=created.isoformat(), event=event, actor=_actor_name(actor),
                              subject=subject, data=data, content_hash=content_hash, prev_hash=prev_hash)
        entry = AuditEntry.objects.create(seq=seq, created=created, event=event, actor=_actor_name(actor),
                                          subject=subject, data=data, content_hash=content_hash,
                                          prev_hash=prev_hash, entry_hash=digest)
        if content is not None:
            AuditContent.objects.create(entry=entry, content=content)
        AuditHead.objects.filter(pk=1).update(hash=digest)
    return entry


def _take_next_seq() -> tuple[int, str]:
    """Lock the head and advance it; return the new entry's seq and the previous hash.

    One ``UPDATE … RETURNING`` both takes the row lock and reads the tip, so concurrent
    appenders (PostgreSQL and SQLite alike) queue on it instead of reading the same tip
    and forking; the lock is held until the caller's transaction ends, so a rolled-back
    entry gives its seq back and the chain has no gaps."""
    table = connection.ops.quote_name(AuditHead._meta.db_table)
    sql = f"UPDATE {table} SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash"
    with connection.cursor() as cur:
        cur.execute(sql)
        row = cur.fetchone()
        if row is None:  # the first append ever (or after a test flush)
            AuditHead.objects.get_or_create(pk=1)
            cur.execute(sql)
            row = cur.fetchone()
    return int(row[0]), row[1]


# --- signed checkpoints ------------------------------------------------------

def checkpoint_message(*, seq: int, entry_hash: str, created: str) -> bytes:
    return canonical({"kind": "hallmark.audit.checkpoint", "seq": seq, "hash": entry_hash, "created": created})


def _signer():
    cfg = settings.HALLMARK
    try:
        key = serialization.load_pem_private_key(Path(cfg["SIGNING_KEY"]).read_bytes(), password=None)
        chain = x509.load_pem_x509_certificates(Path(cfg["SIGNING_CERT_CHAIN"]).read_bytes())
    except (OSError, ValueError) as exc:
        raise CheckpointUnavailable(f"Cannot read the provenance signing key or certificate: {exc}") from exc
    return key, chain[0]


def _sign(key, message: bytes) -> bytes:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(message, ec.ECDSA(hashes.SHA256()))
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    return key.sign(message)  # Ed25519 / Ed448


def _signature_valid(public_key, signature: bytes, message: bytes) -> bool:
    try:
        if isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
        elif isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
        else:
            public_key.verify(signature, message)
    except (InvalidSignature, TypeError, ValueError):
        return False
    return True


def audit_checkpoint(*, force: bool = False) -> AuditCheckpoint | None:
    """Sign the current head; return None when nothing was appended since the last checkpoint."""
    key, cert = _signer()  # file reads outside the lock
    with transaction.atomic():
        AuditHead.objects.get_or_create(pk=1)
        # Hold the head so the signed (seq, hash) is the tip, not one overtaken mid-read.
        head = AuditHead.objects.select_for_update().get(pk=1)
        last = AuditCheckpoint.objects.order_by("-seq", "-id").first()
        if head.seq == 0 or (not force and last is not None and last.seq == head.seq):
            return None
        created = timezone.now()
        message = checkpoint_message(seq=head.seq, entry_hash=head.hash, created=created.isoformat())
        return AuditCheckpoint.objects.create(
            seq=head.seq, entry_hash=head.hash, created=created,
            signature=base64.b64encode(_sign(key, message)).decode(),
            certificate=cert.public_bytes(serialization.Encoding.PEM).decode())


def _trusted_certs() -> tuple[set[bytes], list]:
    """Return the fingerprints of certificates trusted as signers, and the issuers trusted to vouch for others."""
    cfg = settings.HALLMARK
    fingerprints: set[bytes] = set()
    issuers: list = []
    for name in ("SIGNING_CERT_CHAIN", "TRUST_ANCHORS"):
        path = Path(cfg.get(name) or "")
        if path.is_file():
            certs = x509.load_pem_x509_certificates(path.read_bytes())
            if name == "SIGNING_CERT_CHAIN" and certs:
                fingerprints.add(certs[0].fingerprint(hashes.SHA256()))
                issuers.extend(certs[1:])
            else:
                issuers.extend(certs)
    return fingerprints, issuers


def _checkpoint_problem(cp: AuditCheckpoint, trusted: tuple[set[bytes], list]) -> str | None:
    """Return why the checkpoint's signature cannot be trusted, or None."""
    try:
        cert = x509.load_pem_x509_certificate(cp.certificate.encode())
        signature = base64.b64decode(cp.signature, validate=True)
    except ValueError:
        return "unreadable certificate or signature"
    fingerprints, issuers = trusted
    vouched = cert.fingerprint(hashes.SHA256()) in fingerprints
    for issuer in issuers:
        if vouched:
            break
        try:
            cert.verify_directly_issued_by(issuer)
            vouched = True
        except (ValueError, TypeError, InvalidSignature):  # not this issuer
            continue
    if not vouched:
        return "signed by a certificate that is neither the signing certificate nor issued by a trust anchor"
    message = checkpoint_message(seq=cp.seq, entry_hash=cp.entry_hash, created=cp.created.isoformat())
    if not _signature_valid(cert.public_key(), signature, message):
        return "signature does not verify"
    return None


# --- retention ---------------------------------------------------------------

def audit_redact(*, before: dt.datetime, actor=None, reason: str = "retention") -> int:
    """Delete the stored content (prompts) of entries older than ``before``; return how many.

    The entries and their content hashes stay, so the chain still verifies; the
    redaction itself is an entry, which is what makes a missing prompt legitimate."""
    with transaction.atomic():
        last = (AuditEntry.objects.filter(created__lt=before, content_row__isnull=False)
                .order_by("-seq").values_list("seq", flat=True).first())
        if last is None:
            return 0
        rows = AuditContent.objects.filter(entry__seq__lte=last)
        count = rows.count()
        rows.delete()
        audit_event("audit.redacted", actor=actor, subject="audit",
                    data={"through_seq": last, "count": count, "before": before.isoformat(), "reason": reason})
    return count


# --- verification ------------------------------------------------------------

@dataclass
class Problem:
    """The first thing wrong with the log."""

    seq: int  # the entry's position in the chain (the one expected, when it is missing)
    entry_id: int | None  # the row's id, when the row exists
    kind: str  # entry_missing | link_broken | content_changed | tail_truncated | checkpoint_invalid | ...
    message: str


@dataclass
class VerifyResult:
    ok: bool
    entries: int = 0
    checkpoints: int = 0
    head_seq: int = 0
    problem: Problem | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def audit_verify(*, chunk: int = 5000) -> VerifyResult:
    """Walk the whole chain and return whether it is intact, naming the first bad entry."""
    head = AuditHead.objects.filter(pk=1).first()
    checkpoints = list(AuditCheckpoint.objects.order_by("seq", "id"))
    result = VerifyResult(ok=True, checkpoints=len(checkpoints), head_seq=head.seq if head else 0)
    trusted = _trusted_certs()
    valid_checkpoints: dict[int, list[AuditCheckpoint]] = {}
    for cp in checkpoints:
        why = _checkpoint_problem(cp, trusted)
        if why:
            return _fail(result, Problem(cp.seq, None, "checkpoint_invalid", f"checkpoint {cp.id} at seq {cp.seq}: {why}"))
        valid_checkpoints.setdefault(cp.seq, []).append(cp)
    redacted_through = max((d.get("through_seq") or 0 for d in AuditEntry.objects.filter(event="audit.redacted")
                            .values_list("data", flat=True) if isinstance(d, dict)), default=0)

    expected_seq, prev_hash = 1, GENESIS
    rows = (AuditEntry.objects.order_by("seq")
            .values_list("id", "seq", "created", "event", "actor", "subject", "data", "content_hash", "prev_hash",
                         "entry_hash", "content_row__content")
            .iterator(chunk_size=chunk))
    for (row_id, seq, created, event, actor, subject, data, content_hash, stored_prev, stored_hash, content) in rows:
        if seq != expected_seq:
            missing = f"entries {expected_seq}..{seq - 1} are" if seq - 1 > expected_seq else f"entry {expected_seq} is"
            return _fail(result, Problem(expected_seq, None, "entry_missing",
                                         f"seq {expected_seq}: missing ({missing} not in the log; next is id {row_id}, seq {seq})"))
        if stored_prev != prev_hash:
            return _fail(result, Problem(seq, row_id, "link_broken",
                                         f"seq {seq} (id {row_id}): link broken: its prev_hash does not match the hash of "
                                         f"entry {seq - 1} (an entry was altered, replaced or re-hashed)"))
        digest = entry_digest(seq=seq, created=created.isoformat(), event=event, actor=actor, subject=subject, data=data,
                              content_hash=content_hash, prev_hash=stored_prev)
        if digest != stored_hash:
            return _fail(result, Problem(seq, row_id, "content_changed",
                                         f"seq {seq} (id {row_id}): content changed: the stored fields no longer hash "
                                         f"to its entry_hash"))
        if content is not None and sha256(canonical(content)) != content_hash:
            return _fail(result, Problem(seq, row_id, "content_changed",
                                         f"seq {seq} (id {row_id}): content changed: the stored prompt/content does not "
                                         f"match its content_hash"))
        if content is None and content_hash and seq > redacted_through:
            return _fail(result, Problem(seq, row_id, "content_missing",
                                         f"seq {seq} (id {row_id}): content missing without a redaction entry covering it"))
        for cp in valid_checkpoints.get(seq, ()):
            if cp.entry_hash != stored_hash:
                return _fail(result, Problem(seq, row_id, "checkpoint_mismatch",
                                             f"seq {seq} (id {row_id}): differs from the signed checkpoint {cp.id} "
                                             f"(the chain was rewritten from here or earlier)"))
        prev_hash, expected_seq = stored_hash, seq + 1
        result.entries += 1

    last_seq = expected_seq - 1
    signed_max = max(valid_checkpoints, default=0)
    if signed_max > last_seq:
        return _fail(result, Problem(last_seq + 1, None, "tail_truncated",
                                     f"seq {last_seq + 1}: tail truncated: the log ends at seq {last_seq} but a signed "
                                     f"checkpoint covers seq {signed_max}"))
    if head is not None and head.seq > last_seq:
        return _fail(result, Problem(last_seq + 1, None, "tail_truncated",
                                     f"seq {last_seq + 1}: tail truncated: the log ends at seq {last_seq} but the head "
                                     f"says {head.seq}"))
    if last_seq > signed_max:
        result.notes.append(f"entries {signed_max + 1}..{last_seq} are not yet covered by a signed checkpoint")
    return result


def _fail(result: VerifyResult, problem: Problem) -> VerifyResult:
    result.ok = False
    result.problem = problem
    return result
