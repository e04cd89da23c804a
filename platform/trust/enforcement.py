"""Account enforcement: strikes for blocked requests, suspensions, and the check every request passes."""
from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from hallmark.errors import DomainError
from jobs import services as job_services

from .audit import audit_event
from .models import Strike, Suspension
from .policy import enforcement_policy

if TYPE_CHECKING:  # read by attribute only: the web process need not load the moderation library
    from moderation import Decision


class AccountSuspended(DomainError):
    """The account is suspended: its keys and session may not send work (until when is in ``extra``)."""

    kind = "forbidden"

    def __init__(self, suspension: Suspension):
        self.suspension = suspension
        ends = None if suspension.permanent or suspension.ends is None else suspension.ends.isoformat()
        super().__init__(suspension_message(suspension), code="account_suspended",
                         extra={"suspended_until": ends, "permanent": ends is None})


class SuspensionConflict(Exception):
    """The suspension is no longer in a state that allows the action (someone acted first)."""


def suspension_message(suspension: Suspension) -> str:
    """Return what a suspended user is told."""
    return f"This account is suspended {suspension.until_text}: {suspension.reason}"


def suspensions_in_force():
    """Return the suspensions in force now (any account's): not lifted, permanent or not yet ended."""
    now = timezone.now()
    return Suspension.objects.filter(lifted__isnull=True).filter(Q(permanent=True) | Q(ends__isnull=True) | Q(ends__gt=now))


def active_suspension(user) -> Suspension | None:
    """Return the suspension in force for ``user``, if any."""
    if user is None or not getattr(user, "pk", None):
        return None
    return suspensions_in_force().filter(user_id=user.pk).order_by("-permanent", "-ends").first()


def assert_account_active(user) -> None:
    """Raise AccountSuspended when ``user`` is suspended: the one suspension check for keys, sessions and admission."""
    suspension = active_suspension(user)
    if suspension is not None:
        raise AccountSuspended(suspension)


def record_block(*, user, job, decision: Decision) -> Suspension | None:
    """Add a strike for a blocked request; suspend when it is severe or one too many.

    A fail-closed decision judged nothing (the gate was missing or late), so it is no
    strike. A severe category suspends at once only on rule-tier evidence (an explicit
    lexicon or combination match): a model's score alone is not enough to ban anyone."""
    if decision.fail_closed:
        return None
    policy = enforcement_policy()
    categories = list(decision.categories)
    rule_backed = decision.rule_backed()
    category = (next((c for c in rule_backed if c in policy.severe_categories), None)
                or next((c for c in categories if c not in policy.severe_categories), None)
                or (categories or ["unspecified"])[0])
    with transaction.atomic():
        strike = Strike.objects.create(user=user, category=category, job_id=job.id if job is not None else None)
        # audit_event holds the audit head's lock until commit, so two blocks at once are
        # counted one after the other and cross the threshold once. (Not a user-row lock: a
        # worker appending an audit entry holds the head, and locking in another order could deadlock.)
        audit_event("enforcement.strike", subject=f"user:{user.pk}",
                    data={"category": category, "job": str(job.id) if job is not None else None, "strike": strike.pk,
                          "policy_version": policy.version})
        current = active_suspension(user)
        severe = category in policy.severe_categories and category in rule_backed
        if current is not None and not (severe and not current.permanent):
            return None
        recent = Strike.objects.filter(user=user, created__gte=timezone.now() - policy.window).count()
        if not severe and recent < policy.strikes_to_suspend:
            return None
        if severe:
            reason = f"Suspended after a request in the severe category {category}."
            length = policy.severe_suspension
        else:
            hours = policy.window.total_seconds() / 3600
            reason = f"Suspended after {recent} blocked requests within {hours:g} hours."
            length = policy.suspension
        causes = [{"job": str(job.id) if job is not None else None, "decision": decision.to_dict()}]  # stored
        if not severe:
            window = Strike.objects.filter(user=user, created__gte=timezone.now() - policy.window)
            causes = [{"job": str(s.job_id) if s.job_id else None, "strike": s.pk, "category": s.category}
                      for s in window] + causes
        return _suspend(user=user, reason=reason, ends=timezone.now() + length if length else None,
                        permanent=length is None, actor=None, data={"policy_version": policy.version, "strikes": recent},
                        causes=causes)


def _suspend(*, user, reason: str, ends, permanent: bool, actor, data: dict, causes: list | None = None) -> Suspension:
    suspension = Suspension.objects.create(user=user, reason=reason, ends=ends, permanent=permanent,
                                           causes=causes or [])
    audit_event("enforcement.suspended", actor=actor, subject=f"user:{user.pk}",
                data={"suspension": suspension.pk, "reason": reason, "permanent": permanent,
                      "ends": ends.isoformat() if ends else None, **data})
    # After commit, when no row locks are held: the audit head is held until then, and a
    # worker finishing one of this user's jobs takes the job's lock before the head's, so
    # taking the user's jobs here, head in hand, could deadlock.
    message = suspension_message(suspension)
    transaction.on_commit(lambda: job_services.job_stop_pending(user_id=user.pk, reason=message))
    return suspension


def suspension_create(*, user, actor, reason: str, ends=None, permanent: bool = False) -> Suspension:
    """Suspend ``user`` by hand (staff), until ``ends`` or for good."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("A suspension needs a reason the user will read.")
    if not permanent and (ends is None or ends <= timezone.now()):
        raise ValueError("A temporary suspension needs an end in the future.")
    with transaction.atomic():
        return _suspend(user=user, reason=reason, ends=None if permanent else ends, permanent=permanent, actor=actor,
                        data={"by_staff": True})


def suspension_lift(*, suspension_id: int, actor, note: str = "") -> Suspension:
    """Lift a suspension now; raise SuspensionConflict if it was already lifted."""
    with transaction.atomic():
        suspension = Suspension.objects.select_for_update().get(pk=suspension_id)
        if suspension.lifted is not None:
            raise SuspensionConflict(f"Suspension {suspension.pk} was already lifted by {suspension.lifted_by}.")
        suspension.lifted = timezone.now()
        suspension.lifted_by = getattr(actor, "username", "") or str(actor or "")
        suspension.note = note
        suspension.save(update_fields=["lifted", "lifted_by", "note"])
        audit_event("enforcement.lifted", actor=actor, subject=f"user:{suspension.user_id}",
                    data={"suspension": suspension.pk, "note": note})
    return suspension


def suspension_make_permanent(*, suspension_id: int, actor, note: str = "") -> Suspension:
    """Turn a suspension in force into a permanent one; raise SuspensionConflict otherwise."""
    with transaction.atomic():
        suspension = Suspension.objects.select_for_update().get(pk=suspension_id)
        if suspension.lifted is not None:
            raise SuspensionConflict(f"Suspension {suspension.pk} was lifted; suspend the account again instead.")
        if suspension.permanent:
            raise SuspensionConflict(f"Suspension {suspension.pk} is already permanent.")
        if suspension.state == "expired":
            raise SuspensionConflict(f"Suspension {suspension.pk} has already ended; suspend the account again instead.")
        suspension.permanent = True
        suspension.ends = None
        suspension.note = note
        suspension.save(update_fields=["permanent", "ends", "note"])
        audit_event("enforcement.made_permanent", actor=actor, subject=f"user:{suspension.user_id}",
                    data={"suspension": suspension.pk, "note": note})
    return suspension
