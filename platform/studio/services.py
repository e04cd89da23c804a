"""Writes the web pages make; each goes through the platform's own services."""
from __future__ import annotations

from jobs import services as job_services
from jobs.admission import admit
from jobs.models import Job
from trust.enforcement import assert_account_active


def studio_job_create(*, user, kind: str, prompt: str = "", n: int = 1, size: int = 256, seed: int | None = None,
                      upload=None, from_prompt: str = "", amount: float | None = None) -> Job:
    """Admit a signed-in user's request exactly as the API admits a key's, then create the job.

    ``upload`` is the intake's canonical picture (jobs.intake.Canonical), mask included.
    Raises AccountSuspended, or the admission's DomainError (rate limit, quota, full queue).
    The middleware already refuses a suspended session's posts; this check keeps the
    promise for any other caller of the service."""
    assert_account_active(user)
    admit(user=user, key=None, images=n)
    return job_services.job_create(user=user, api_key=None, kind=kind, prompt=prompt, n=n, size=size, seed=seed,
                                   response_format="url", upload=upload, from_prompt=from_prompt, amount=amount)
