"""Thin Celery tasks named after the services that do the work."""
from __future__ import annotations

import logging

from celery import shared_task

from . import services
from .models import Job

log = logging.getLogger(__name__)

# Faults worth retrying: a database or storage hiccup, a worker-local error.
TRANSIENT = (OSError, ConnectionError, TimeoutError)


@shared_task(bind=True, acks_late=True, max_retries=3, name="jobs.tasks.job_moderate")
def job_moderate(self, job_id: str) -> str:
    try:
        return services.job_moderate(job_id=job_id)
    except Job.DoesNotExist:
        return "missing"  # deleted since it was queued: nothing to do
    except TRANSIENT as exc:
        if self.request.retries >= self.max_retries:
            services.job_fail(job_id=job_id, message=f"The safety check could not run: {exc}", code="safety_unavailable")
            raise
        raise self.retry(exc=exc, countdown=2 ** self.request.retries)


@shared_task(bind=True, acks_late=True, max_retries=3, name="jobs.tasks.job_generate")
def job_generate(self, job_id: str) -> str:
    try:
        return services.job_generate(job_id=job_id)
    except Job.DoesNotExist:
        return "missing"
    except services.JobBusy:
        # Another worker is running this job and renewing its lease; look again later,
        # so the job is still finished if that worker dies.
        from django.conf import settings

        raise self.retry(countdown=settings.HALLMARK["JOB_LEASE_S"], max_retries=None)
    except Exception as exc:
        if self.request.retries >= self.max_retries:
            log.exception("job %s failed", job_id)
            services.job_fail(job_id=job_id, message=f"Generation failed: {type(exc).__name__}: {exc}")
            return "failed"
        log.warning("job %s: retrying after %s", job_id, exc)
        services.job_drop_lease(job_id=job_id)
        raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 1))
