"""The sweeper (run by beat): no job sits non-terminal past its deadline.

A job can be left behind without any worker holding it: its enqueue failed after the
commit (the broker was down), the broker lost the message (Redis restarted without its
data), or a worker died in a step the broker does not redeliver. The sweeper sends
such a job back to the step it is waiting for — every step is idempotent under the
job's row lock — and after ``MAX_ATTEMPTS`` sweeps fails it with a reason, so that a
job ends, one way or the other."""
from __future__ import annotations

import datetime as dt
import functools
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import Job
from .services import _set_status, enqueue_finish, enqueue_generation, enqueue_moderation

log = logging.getLogger(__name__)
Status = Job.Status


@dataclass
class SweepResult:
    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def _waiting_step(job: Job) -> str:
    """Return the step a non-terminal job waits for: ``moderate``, ``generate`` or ``finish``."""
    if job.rendered:
        return "finish"
    return "generate" if job.decisions else "moderate"


def job_sweep_stale(*, now: dt.datetime | None = None) -> SweepResult:
    """Re-enqueue, or fail with a reason, every job idle past its deadline; return what was done.

    Deadlines (settings.HALLMARK): ``JOB_STALE_S`` for a job waiting on the safety
    queue or a running job whose lease lapsed, ``JOB_QUEUE_DEADLINE_S`` for one waiting
    on the gpu queue (a backlog is normal there). Held jobs have their own expiry."""
    cfg = settings.HALLMARK
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=cfg["JOB_STALE_S"])
    queue_deadline = now - dt.timedelta(seconds=cfg["JOB_QUEUE_DEADLINE_S"])
    candidates = Job.objects.filter(
        Q(status=Status.QUEUED, decisions=[], updated__lt=stale)
        | Q(status=Status.MODERATING, updated__lt=stale)
        | Q(status=Status.QUEUED, updated__lt=queue_deadline) & ~Q(decisions=[])
        | Q(status__in=(Status.RUNNING, Status.STAMPING), updated__lt=stale) & (Q(lease_until__lt=now) | Q(lease_until=None))
    ).values_list("pk", flat=True)[:500]
    result = SweepResult()
    for job_id in list(candidates):
        with transaction.atomic():
            # skip_locked: a worker holding the row is working on it, so it is not stuck.
            job = Job.objects.select_for_update(skip_locked=True).filter(pk=job_id).first()
            if job is None or job.is_terminal or job.status == Status.HELD:
                continue
            sweeps = int(job.timings.get("sweeps", 0)) + 1
            step = _waiting_step(job)
            if sweeps > cfg["MAX_ATTEMPTS"]:
                _set_status(job, Status.FAILED, error_code="job_stuck",
                            error_message=f"The job made no progress ({job.status}, waiting to {step}) after "
                                          f"{sweeps - 1} retries; nothing was charged for images never made.")
                result.failed.append(str(job.id))
                continue
            job.timings = {**job.timings, "sweeps": sweeps}
            job.save(update_fields=["timings", "updated"])
            if step == "finish":
                enqueue = functools.partial(enqueue_finish, attempt=job.attempts)
            else:
                enqueue = enqueue_generation if step == "generate" else enqueue_moderation
            # robust: a broker still down leaves the job for the next sweep instead of raising.
            transaction.on_commit(lambda job_id=job.id, enqueue=enqueue: enqueue(job_id), robust=True)
            result.requeued.append(str(job.id))
    if result.requeued or result.failed:
        log.warning("sweeper: re-enqueued %s, failed %s", result.requeued, result.failed)
    return result
