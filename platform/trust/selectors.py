"""Reads for staff pages: the review queue, one request under review, a user's history."""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from jobs.models import Job

from .enforcement import active_suspension
from .models import AuditEntry, HeldRequest, Strike, Suspension


def review_queue() -> QuerySet[HeldRequest]:
    """Return the held requests, oldest first."""
    return HeldRequest.objects.filter(status=Job.Status.HELD).select_related("user").order_by("created")


@dataclass
class UserHistory:
    user: object
    job_counts: dict[str, int]
    recent_jobs: list[Job]
    strikes: list[Strike]
    suspensions: list[Suspension]
    active_suspension: Suspension | None


def user_history(user, *, recent: int = 20) -> UserHistory:
    """Return what a reviewer weighs about ``user``: past outcomes, strikes and suspensions."""
    counts = dict(Job.objects.filter(user=user).values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return UserHistory(
        user=user, job_counts=counts,
        recent_jobs=list(Job.objects.filter(user=user).order_by("-created")[:recent]),
        strikes=list(Strike.objects.filter(user=user).order_by("-created")[:50]),
        suspensions=list(Suspension.objects.filter(user=user).order_by("-starts")),
        active_suspension=active_suspension(user))


def audit_trail(subject: str, *, limit: int = 200) -> QuerySet[AuditEntry]:
    """Return the audit entries about one subject (``job:<id>``, ``user:<pk>``), in order."""
    return AuditEntry.objects.filter(subject=subject).order_by("seq")[:limit]
