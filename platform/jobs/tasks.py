"""Thin Celery tasks named after the services that do the work."""
from __future__ import annotations

import logging

import django.db
import kombu.exceptions
import redis.exceptions
from celery import shared_task
from django.conf import settings

from trust import enforcement

from . import finishing, rendering, services
from .models import Job
from .sweeper import job_sweep_stale as sweep

log = logging.getLogger(__name__)

# The services a step talks to, briefly away (a restart, a failover, SQLite's lock):
# retried with backoff whatever the step. TRANSIENT adds a storage hiccup.
SERVICE_FAULTS = (ConnectionError, TimeoutError, django.db.OperationalError, django.db.InterfaceError,
                  kombu.exceptions.OperationalError, redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
TRANSIENT = (OSError, *SERVICE_FAULTS)


# Retries of a transient fault, apart from MAX_ATTEMPTS (which counts real failures of the step):
# 2 + 4 + 8 + 16 + 32 + 60 + 60 + 60 s, about four minutes, rides out a restart or a failover.
TRANSIENT_RETRIES = 8


def _backoff(retries: int) -> int:
    """Return the delay before retry ``retries`` + 1: 2, 4, 8 … seconds, at most a minute."""
    return min(60, 2 ** (retries + 1))


def _fail_quietly(job_id: str, message: str, code: str) -> None:
    """Fail the job with a reason; if the database is still away, leave it to the sweeper."""
    try:
        services.job_fail(job_id=job_id, message=message, code=code)
    except TRANSIENT:
        log.warning("job %s: could not record its failure (%s); the sweeper will end it", job_id, code)


@shared_task(bind=True, acks_late=True, max_retries=TRANSIENT_RETRIES, name="jobs.tasks.job_moderate")
def job_moderate(self, job_id: str) -> str:
    try:
        moderated = services.job_moderate(job_id=job_id)
        if moderated.block is not None:
            # The strike is counted after the block commits, with no job lock held. A worker
            # killed between the two loses that one strike; the job itself stays blocked.
            enforcement.record_block(user=moderated.job.user, job=moderated.job, decision=moderated.block)
        return moderated.status
    except Job.DoesNotExist:
        return "missing"  # deleted since it was queued: nothing to do
    except TRANSIENT as exc:
        if self.request.retries >= self.max_retries:
            _fail_quietly(job_id, f"The safety check could not run: {type(exc).__name__}: {exc}", "safety_unavailable")
            return "failed"
        log.warning("job %s: safety check retrying after %s: %s", job_id, type(exc).__name__, exc)
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries))


@shared_task(bind=True, acks_late=True, max_retries=3, name="jobs.tasks.job_generate")
def job_generate(self, job_id: str) -> str:
    try:
        return rendering.job_generate(job_id=job_id)
    except Job.DoesNotExist:
        return "missing"
    except services.JobBusy:
        # Another worker is running this job and renewing its lease; look again later,
        # so the job is still finished if that worker dies.
        raise self.retry(countdown=settings.HALLMARK["JOB_LEASE_S"], max_retries=None)
    except SERVICE_FAULTS as exc:
        # The database or the broker went away under the job: not the job's fault, so not one of
        # its MAX_ATTEMPTS; retried with backoff, and the lease (if still held) lapses by itself.
        if self.request.retries >= TRANSIENT_RETRIES:
            _fail_quietly(job_id, f"Generation could not run: {type(exc).__name__}: {exc}", "service_unavailable")
            return "failed"
        log.warning("job %s: retrying after %s: %s", job_id, type(exc).__name__, exc)
        _drop_lease_quietly(job_id)
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries), max_retries=TRANSIENT_RETRIES)
    except Exception as exc:
        if self.request.retries + 1 >= min(self.max_retries + 1, settings.HALLMARK["MAX_ATTEMPTS"]):
            log.exception("job %s failed", job_id)
            _fail_quietly(job_id, f"Generation failed: {type(exc).__name__}: {exc}", "generation_failed")
            return "failed"
        log.warning("job %s: retrying after %s", job_id, exc)
        _drop_lease_quietly(job_id)
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries))


@shared_task(bind=True, acks_late=True, max_retries=TRANSIENT_RETRIES, name="jobs.tasks.job_finish")
def job_finish(self, job_id: str, attempt: int) -> str:
    """The output gate and stamping, on a CPU queue: the GPU worker has moved on to its next batch."""
    try:
        return finishing.job_finish(job_id=job_id, attempt=attempt)
    except Job.DoesNotExist:
        return "missing"
    except TRANSIENT as exc:
        if self.request.retries >= self.max_retries:
            _fail_quietly(job_id, f"The outputs could not be checked and stamped: {type(exc).__name__}: {exc}",
                          "service_unavailable")
            return "failed"
        log.warning("job %s: finishing retrying after %s: %s", job_id, type(exc).__name__, exc)
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries))
    except Exception as exc:
        # A stamping fault that is not a service's (a bad key file, a bug): the pictures are kept,
        # so a retry redoes only this step; after MAX_ATTEMPTS the job fails with the reason.
        if self.request.retries + 1 >= settings.HALLMARK["MAX_ATTEMPTS"]:
            log.exception("job %s: finishing failed", job_id)
            _fail_quietly(job_id, f"Stamping failed: {type(exc).__name__}: {exc}", "stamping_failed")
            return "failed"
        log.warning("job %s: finishing retrying after %s", job_id, exc)
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries))


def _drop_lease_quietly(job_id: str) -> None:
    try:
        services.job_drop_lease(job_id=job_id)
    except TRANSIENT:
        pass  # the database is away too: the lease lapses by itself


@shared_task(name="jobs.tasks.job_sweep_stale")
def job_sweep_stale() -> dict:
    result = sweep()
    return {"requeued": len(result.requeued), "failed": len(result.failed)}
