"""Staff pages: the review queue, account enforcement, the audit log. Every write goes
through the trust app's services (and the jobs services they build on)."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jobs import files
from jobs.models import Job
from trust import enforcement as trust_enforcement, review, selectors as trust_selectors
from trust.audit import audit_verify
from trust.models import AuditEntry

from .. import reasons
from .decorators import CHANGE_SUSPENSIONS, REVIEW, VIEW_AUDIT, VIEW_SUSPENSIONS, VIEW_UPLOAD, staff_required


@staff_required(REVIEW)
def review_queue(request):
    items, histories = [], {}
    for job in trust_selectors.review_queue()[:50]:
        # Once per account, not per request: one user's many held requests share a history.
        history = histories.get(job.user_id) or histories.setdefault(
            job.user_id, trust_selectors.user_history(job.user, recent=5))
        items.append({"job": job, "refusal": reasons.refusal(job), "history": history,
                      "scores": [d for d in job.decisions if d.get("action") != "allow"]})
    return render(request, "studio/staff/review.html", {"items": items, "reject_reasons": review.REJECT_REASONS})


@require_POST
@staff_required(REVIEW)
def review_decide(request, job_id):
    job = get_object_or_404(Job, pk=job_id)
    note = request.POST.get("note", "").strip()[:2000]
    decision = request.POST.get("decision")
    try:
        if decision == "approve":
            review.review_approve(job_id=job.id, reviewer=request.user, note=note)
            messages.success(request, _("Approved: the request goes on to generation."))
        elif decision == "reject":
            # A written reason wins over the chosen standard one.
            reason = request.POST.get("reason_text", "").strip()[:500] or request.POST.get("reason", "")
            review.review_reject(job_id=job.id, reviewer=request.user, reason=reason, note=note)
            messages.success(request, _("Rejected: the user sees your reason."))
        else:
            messages.error(request, _("Choose approve or reject."))
    except review.ReviewConflict as exc:
        messages.warning(request, str(exc))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValueError as exc:
        messages.error(request, str(exc))
    return redirect("studio:staff-review")


@staff_required(VIEW_UPLOAD)
def review_upload(request, job_id):
    """Show a reviewer the canonical picture a held edit or variation was judged on (alpha dropped)."""
    job = get_object_or_404(Job, pk=job_id)
    return files.png_response(job.upload)


@staff_required(VIEW_SUSPENSIONS)
def enforcement(request):
    query = request.GET.get("q", "").strip()
    return render(request, "studio/staff/enforcement.html",
                  {"rows": trust_selectors.enforcement_rows(query=query), "query": query})


@require_POST
@staff_required(CHANGE_SUSPENSIONS)
def enforcement_act(request, user_id: int):
    user = get_object_or_404(get_user_model(), pk=user_id)
    action = request.POST.get("action")
    note = request.POST.get("note", "").strip()[:2000]
    try:
        if action == "suspend":
            days = _int(request.POST.get("days"), default=7)
            permanent = request.POST.get("permanent") == "on"
            trust_enforcement.suspension_create(user=user, actor=request.user, reason=note or _("Suspended by staff."),
                                  ends=None if permanent else timezone.now() + dt.timedelta(days=max(1, days)),
                                  permanent=permanent)
            messages.success(request, _("%(name)s is suspended.") % {"name": user.username})
        elif action == "lift":
            trust_enforcement.suspension_lift(suspension_id=_int(request.POST.get("suspension")), actor=request.user, note=note)
            messages.success(request, _("The suspension of %(name)s is lifted.") % {"name": user.username})
        else:
            messages.error(request, _("Unknown action."))
    except trust_enforcement.SuspensionConflict:
        messages.warning(request, _("That suspension was already changed by someone else."))
    except ValueError as exc:
        messages.error(request, str(exc))
    return redirect(f"{request.path.rsplit('/', 1)[0]}/?q={user.username}")


def _int(value, default: int | None = None) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        if default is None:
            raise ValueError(_("A number was expected."))
        return default


@staff_required(VIEW_AUDIT)
def audit_log(request):
    entries = AuditEntry.objects.order_by("-seq")
    event = request.GET.get("event", "").strip()
    if event:
        entries = entries.filter(event__startswith=event)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    result = audit_verify() if request.GET.get("verify") else None
    return render(request, "studio/staff/audit.html", {"page": page, "event": event, "result": result})
