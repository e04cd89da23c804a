"""Account enforcement: strikes for blocked requests, suspensions, and the check every request passes."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .audit import audit_event
from .models import Strike, Suspension

# Defaults; the moderation policy file may override them (see trust.policy).
SEVERE = frozenset({"sexual/minors"})
STRIKES_TO_SUSPEND = 3
STRIKE_WINDOW = dt.timedelta(days=1)
SUSPENSION_LENGTH = dt.timedelta(days=7)


class AccountSuspended(Exception):
    def __init__(self, suspension: Suspension):
        self.suspension = suspension
        until = "permanently" if suspension.permanent or suspension.ends is None else f"until {suspension.ends.isoformat()}"
        super().__init__(f"This account is suspended {until}: {suspension.reason}")


def active_suspension(user) -> Suspension | None:
    """Return the suspension in force for ``user``, if any."""
    now = timezone.now()
    return (Suspension.objects.filter(user=user, lifted__isnull=True)
            .filter(Q(permanent=True) | Q(ends__isnull=True) | Q(ends__gt=now)).first())


def assert_account_active(user) -> None:
    """Raise the API's 403 when ``user`` is suspended."""
    suspension = active_suspension(user)
    if suspension is not None:
        from jobs.errors import ApiError

        raise ApiError(str(AccountSuspended(suspension)), status=403, code="account_suspended", type="permission_error",
                       extra={"suspended_until": suspension.ends.isoformat() if suspension.ends and not suspension.permanent else None})


def record_block(*, user, job, decision: dict) -> Suspension | None:
    """Add a strike for a blocked request; suspend when it is severe or one too many."""
    category = (decision.get("categories") or ["unspecified"])[0]
    with transaction.atomic():
        Strike.objects.create(user=user, category=category, job_id=job.id)
        audit_event("enforcement.strike", subject=f"user:{user.pk}", data={"category": category, "job": str(job.id)})
        if active_suspension(user) is not None:
            return None
        recent = Strike.objects.filter(user=user, created__gte=timezone.now() - STRIKE_WINDOW).count()
        severe = bool(SEVERE.intersection(decision.get("categories") or []))
        if severe or recent >= STRIKES_TO_SUSPEND:
            reason = (f"a request in the severe category {category}" if severe
                      else f"{recent} blocked requests within {STRIKE_WINDOW.days} day(s)")
            suspension = Suspension.objects.create(user=user, reason=f"Suspended after {reason}.",
                                                   ends=timezone.now() + SUSPENSION_LENGTH)
            audit_event("enforcement.suspended", subject=f"user:{user.pk}",
                        data={"reason": suspension.reason, "ends": suspension.ends.isoformat()})
            return suspension
    return None
