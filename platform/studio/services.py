"""Writes the web pages make; each goes through the platform's own services."""
from __future__ import annotations

from jobs import services as job_services
from jobs.admission import admit
from jobs.errors import ApiError
from jobs.models import Job


class Refused(Exception):
    """The request is not admitted (suspended account, rate limit, quota); the message says why."""


def studio_job_create(*, request, kind: str, prompt: str = "", n: int = 1, size: int = 256, seed: int | None = None,
                      upload=None) -> Job:
    """Admit a signed-in user's request exactly as the API admits a key's, then create the job.

    ``upload`` is the intake's canonical picture (jobs.intake.Canonical), mask included."""
    try:
        admit(request, images=n)
    except ApiError as exc:
        raise Refused(exc.message) from exc
    return job_services.job_create(user=request.user, api_key=None, kind=kind, prompt=prompt, n=n, size=size, seed=seed,
                                   response_format="url", upload=upload)
