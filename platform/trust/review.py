"""The review queue's writes: approve, reject, and expire requests held by the gates."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_noop

from jobs import services as job_services
from jobs.models import Job

from .enforcement import active_suspension
from .models import AuditEntry

REVIEW_PERMISSION = "trust.review_request"

# What a reviewer can tell the user, by key. The job stores the key (Job.review_reason) and the
# English text (error_message, what the API says); the studio shows the key's text translated.
# Marked, not translated, here: the stored text is English whatever the reviewer's language.
REJECT_REASONS = {
    "policy": gettext_noop("The request conflicts with the content policy."),
    "sexual": gettext_noop("The request asks for sexual content, which this service does not generate."),
    "violence": gettext_noop("The request asks for graphic violence, which this service does not generate."),
    "real_person": gettext_noop("The request depicts a real, identifiable person in a way the policy does not allow."),
    "minors": gettext_noop("The request could sexualise or endanger minors."),
    "hate": gettext_noop("The request promotes hate or harassment."),
}
EXPIRED_REASON = ("Nobody reviewed the request within {hours:g} hours, so it was not generated. "
                  "You may send it again.")


class ReviewConflict(Exception):
    """Another reviewer (or expiry, or the user's cancel) acted on the request first."""


def _check_reviewer(reviewer, job: Job | None = None) -> None:
    if reviewer is None or not reviewer.is_active or not reviewer.is_staff or not reviewer.has_perm(REVIEW_PERMISSION):
        raise PermissionDenied("Reviewing held requests needs staff status and the review permission.")
    if job is not None and job.user_id == reviewer.pk:
        raise PermissionDenied("Reviewers cannot decide on their own requests.")


def _conflict(job_id) -> ReviewConflict:
    """Return the error telling a losing reviewer who acted first."""
    job = Job.objects.get(pk=job_id)
    last = (AuditEntry.objects.filter(subject=f"job:{job_id}", event__in=("review.approved", "review.rejected"))
            .order_by("-seq").first())
    if last is not None:
        verb = "approved" if last.event == "review.approved" else "rejected"
        return ReviewConflict(f"Request {job_id} was already {verb} by {last.actor} at "
                              f"{last.created:%H:%M:%S} UTC; it is now {job.status}.")
    return ReviewConflict(f"Request {job_id} is no longer held (it is {job.status}).")


def review_approve(*, job_id, reviewer, note: str = "") -> Job:
    """Send a held request on to the GPU queue; raise ReviewConflict if someone acted first."""
    job = Job.objects.get(pk=job_id)
    _check_reviewer(reviewer, job)
    suspension = active_suspension(job.user)
    if suspension is not None:
        raise ReviewConflict(f"The account is suspended ({suspension.reason}); reject the request instead.")
    try:
        return job_services.job_release_held(job_id=job_id, reviewer=reviewer, note=note.strip())
    except job_services.JobConflict:
        raise _conflict(job_id) from None


def reject_reason_text(reason: str) -> str:
    """Return the user-facing text for a reason key, or the reviewer's own words."""
    reason = (reason or "").strip()
    return REJECT_REASONS.get(reason, reason)


def review_reject(*, job_id, reviewer, reason: str, note: str = "") -> Job:
    """Refuse a held request, telling the user ``reason`` (a REJECT_REASONS key or free text)."""
    job = Job.objects.get(pk=job_id)
    _check_reviewer(reviewer, job)
    text = reject_reason_text(reason)
    if not text:
        raise ValueError("Choose or write the reason the user will be told.")
    key = reason.strip() if reason.strip() in REJECT_REASONS else ""
    try:
        return job_services.job_reject_held(job_id=job_id, reviewer=reviewer, reason=text, note=note.strip(),
                                            reason_key=key)
    except job_services.JobConflict:
        raise _conflict(job_id) from None


def held_expiry() -> dt.timedelta:
    return dt.timedelta(seconds=settings.HALLMARK.get("HELD_EXPIRY_S", 24 * 3600))


def held_expire(*, now: dt.datetime | None = None) -> list[str]:
    """Reject every request held longer than the configured time; return their ids."""
    now = now or timezone.now()
    limit = held_expiry()
    # `updated` is when the job entered HELD: nothing else writes a held job.
    stale = list(Job.objects.filter(status=Job.Status.HELD, updated__lt=now - limit).values_list("pk", flat=True))
    expired = []
    reason = EXPIRED_REASON.format(hours=limit.total_seconds() / 3600)
    for job_id in stale:
        try:
            job_services.job_reject_held(job_id=job_id, reviewer=None, reason=reason, code="review_expired",
                                         note=f"expired: held longer than {limit}")
        except job_services.JobConflict:
            continue  # a reviewer got there first
        expired.append(str(job_id))
    return expired
