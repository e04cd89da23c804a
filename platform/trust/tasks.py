"""Periodic trust work (Celery beat): signed audit checkpoints and expiry of unreviewed requests."""
import logging

from celery import shared_task

from .audit import CheckpointUnavailable, audit_checkpoint as checkpoint
from .review import held_expire as expire

log = logging.getLogger(__name__)


@shared_task(name="trust.tasks.audit_checkpoint")
def audit_checkpoint() -> int | None:
    try:
        cp = checkpoint()
    except CheckpointUnavailable as exc:
        log.warning("audit checkpoint skipped: %s", exc)
        return None
    return cp.seq if cp else None


@shared_task(name="trust.tasks.held_expire")
def held_expire() -> int:
    expired = expire()
    if expired:
        log.info("expired %d held request(s): %s", len(expired), ", ".join(expired))
    return len(expired)
