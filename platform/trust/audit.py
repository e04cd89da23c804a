"""The append-only, hash-chained audit log."""
from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import AuditEntry, AuditHead

GENESIS = "0" * 64


def canonical(value: Any) -> bytes:
    """Return the one serialisation that hashes are taken over."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def entry_digest(*, seq: int, created: str, event: str, actor: str, subject: str, data: dict, content_hash: str, prev_hash: str) -> str:
    return sha256(canonical({"seq": seq, "created": created, "event": event, "actor": actor, "subject": subject,
                             "data": data, "content_hash": content_hash, "prev": prev_hash}))


def audit_event(event: str, *, actor=None, subject: str = "", data: dict | None = None, content: dict | None = None) -> AuditEntry:
    """Append one entry. ``content`` holds what retention may redact later (prompts)."""
    actor_name = getattr(actor, "username", None) or (actor if isinstance(actor, str) else "") or "system"
    data = json.loads(canonical(data or {}))  # what is stored is exactly what was hashed
    content_hash = sha256(canonical(content)) if content is not None else ""
    with transaction.atomic():
        AuditHead.objects.get_or_create(pk=1)
        # Write-lock the head first (an UPDATE), so concurrent appenders queue here on
        # PostgreSQL and SQLite alike instead of reading the same tip and forking.
        AuditHead.objects.filter(pk=1).update(seq=F("seq"))
        head = AuditHead.objects.select_for_update().get(pk=1)
        seq = head.seq + 1
        created = timezone.now()
        digest = entry_digest(seq=seq, created=created.isoformat(), event=event, actor=actor_name, subject=subject,
                              data=data, content_hash=content_hash, prev_hash=head.hash)
        entry = AuditEntry.objects.create(seq=seq, created=created, event=event, actor=actor_name, subject=subject,
                                          data=data, content=content, content_hash=content_hash,
                                          prev_hash=head.hash, entry_hash=digest)
        AuditHead.objects.filter(pk=1).update(seq=seq, hash=digest)
    return entry
