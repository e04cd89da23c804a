"""Admission: the checks every request for work passes, from the API and the web studio alike."""
from __future__ import annotations

from django.conf import settings
from django.db.models import Sum

from accounts import limits
from hallmark.errors import DomainError

from .models import Job


class NotAdmitted(DomainError):
    """The request may not be accepted (a key without the scope); AccountSuspended and LimitExceeded say why else."""

    kind = "forbidden"


class QueueFull(DomainError):
    """The gpu queue already holds more work than HALLMARK_GPU_QUEUE_MAX_IMAGES; try again later (429)."""

    kind = "limited"


# Jobs headed for (or on) a GPU. Held jobs wait on a person, not on a GPU, so they do not count.
GPU_BOUND = ("queued", "moderating", "running", "stamping")


def gpu_backlog() -> int:
    """Return the images of every job that is queued for, or running on, the gpu queue.

    Counted in the database, not as the broker's queue length: the database knows each job's
    ``n`` (one task may be ten images), sees tasks a worker has reserved but not finished, and
    reads the same on Redis and on the demo's filesystem broker."""
    return Job.objects.filter(status__in=GPU_BOUND).aggregate(images=Sum("n"))["images"] or 0


def assert_gpu_capacity(images: int) -> None:
    """Raise QueueFull when ``images`` more would take the gpu backlog past its cap."""
    cap = settings.HALLMARK["GPU_QUEUE_MAX_IMAGES"]
    backlog = gpu_backlog()
    if backlog + images > cap:
        raise QueueFull(f"The image queue is full ({backlog} images waiting); try again shortly.",
                        code="queue_full", retry_after=settings.HALLMARK["GPU_QUEUE_RETRY_AFTER_S"])


def admit(*, user, key=None, scope: str | None = None, images: int = 0) -> None:
    """Check the key's scope, the gpu backlog, the rate limit and the daily quota.

    ``key`` is the API key the request came with (None for a web session, which has no
    scopes). Raises NotAdmitted, QueueFull or LimitExceeded (all DomainErrors).

    The account's standing is checked by the layers above jobs, which know about
    suspensions (trust builds on jobs, so jobs never imports its enforcement): a key's
    authenticator, the session's SuspensionMiddleware, and the studio's service.
    """
    if scope and key is not None and scope not in key.scopes:
        raise NotAdmitted(f"This API key lacks the '{scope}' scope.", code="insufficient_scope")
    if images:  # before the counters: a full queue spends none of the account's quota
        assert_gpu_capacity(images)
    limits.count_request(user=user, key=key, images=images)
