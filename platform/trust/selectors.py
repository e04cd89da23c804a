"""Reads for staff pages: the review queue, one request under review, a user's history, the enforcement list."""
from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet

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


def enforcement_rows(*, query: str = "", limit: int = 100, recent: int = 5) -> list[dict]:
    """Return the accounts staff may act on (with strikes or suspensions, or matching ``query``), most strikes first.

    Three queries whatever the number of rows: the accounts, then their latest ``recent``
    suspensions and strikes each (sliced prefetches)."""
    users = get_user_model().objects.annotate(strike_count=Count("strikes", distinct=True))
    users = (users.filter(username__icontains=query) if query
             else users.filter(Q(strike_count__gt=0) | Q(suspensions__isnull=False)))
    users = users.distinct().order_by("-strike_count", "username").prefetch_related(
        Prefetch("suspensions", queryset=Suspension.objects.order_by("-starts")[:recent], to_attr="latest_suspensions"),
        Prefetch("strikes", queryset=Strike.objects.order_by("-created")[:recent], to_attr="latest_strikes"))[:limit]
    rows = []
    for user in users:
        current = next((s for s in user.latest_suspensions if s.state in ("active", "permanent")), None)
        rows.append({"user": user, "strikes": user.strike_count, "current": current,
                     "suspensions": user.latest_suspensions, "recent_strikes": user.latest_strikes})
    return rows
