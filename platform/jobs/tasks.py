"""Thin Celery tasks named after the services that do the work."""
from __future__ import annotations

import logging

import django.db
import kombu.exceptions
import redis.exceptions
from celery import shared_task
from django.conf import settings

from trust import enforcement

from . import services
from .models import Job
from .sweeper import job_sweep_stale as sweep

log = logging.getLogger(__name__)

# Faults worth retrying: the database or the broker briefly away (a restart, a failover,
# SQLite's lock), a storage hiccup, a worker-local error.
TRANSIENT = (OSError, ConnectionError, TimeoutError, django.db.OperationalError, django.db.InterfaceError,
             kombu.exceptions.OperationalError, redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


def _backoff(retries: int) -> int:
    """Return the delay before retry ``retries`` + 1: 2, 4, 8 … seconds, at most a minute."""
    return min(60, 2 ** (retries + 1))


@shared_task(bind=True, acks_late=True, max_retries=3, name="jobs.tasks.job_moderate")
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
            # If the database is still away this raises too; the sweeper then ends the job.
            services.job_fail(job_id=job_id, message=f"The safety check could not run: {exc}", code="safety_unavailable")
            return "failed"
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries))


@shared_task(bind=True, acks_late=True, max_retries=3, name="jobs.tasks.job_generate")
def job_generate(self, job_id: str) -> str:
    try:
        return services.job_generate(job_id=job_id)
    except Job.DoesNotExist:
        return "missing"
    except services.JobBusy:
        # Another worker is running this job and renewing its lease; look again later,
        # so the job is still finished if that worker dies.
        raise self.retry(countdown=settings.HALLMARK["JOB_LEASE_S"], max_retries=None)
    except Exception as exc:
        if self.request.retries + 1 >= min(self.max_retries + 1, settings.HALLMARK["MAX_ATTEMPTS"]):
            log.exception("job %s failed", job_id)
            services.job_fail(job_id=job_id, message=f"Generation failed: {type(exc).__name__}: {exc}")
            return "failed"
        log.warning("job %s: retrying after %s", job_id, exc)
        try:
            services.job_drop_lease(job_id=job_id)
        except TRANSIENT:
            pass  # the database is away too: the lease lapses by itself
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries))


@shared_task(name="jobs.tasks.job_sweep_stale")
def job_sweep_stale() -> dict:
    result = sweep()
    return {"requeued": len(result.requeued), "failed": len(result.failed)}
