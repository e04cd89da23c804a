"""Staff pages in the Django admin: the review queue, suspensions, the audit log and its verification.

Every action goes through trust's services (which audit it); the admin only renders."""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from . import enforcement, review, selectors
from .audit import CheckpointUnavailable, audit_checkpoint, audit_verify
from .models import AuditCheckpoint, AuditEntry, HeldRequest, Strike, Suspension


class _ReadOnly(admin.ModelAdmin):
    """Rows written only by services: staff can look, never edit or delete."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- review queue --------------------------------------------------------------

class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")], widget=forms.HiddenInput)
    reason = forms.ChoiceField(choices=[("", "—")] + list(review.REJECT_REASONS.items()) + [("other", "Other (write it below)")],
                               required=False, label="Reason the user is told")
    reason_text = forms.CharField(required=False, max_length=500, label="Other reason")
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                           label="Note for the audit log")

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject":
            reason = data.get("reason_text", "").strip() if data.get("reason") == "other" else data.get("reason")
            if not reason:
                raise forms.ValidationError("Choose the reason the user will be told (or write one).")
            data["reason_value"] = reason
        return data


@admin.register(HeldRequest)
class HeldRequestAdmin(_ReadOnly):
    list_display = ("created", "age", "user", "kind", "prompt_excerpt", "flags", "review_link")
    list_display_links = None
    ordering = ("created",)
    search_fields = ("prompt", "user__username", "id")

    def get_queryset(self, request):
        return selectors.review_queue()

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff and request.user.has_perm(review.REVIEW_PERMISSION)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    @admin.display(description="waiting")
    def age(self, obj):
        return timezone.now() - obj.created

    @admin.display(description="prompt")
    def prompt_excerpt(self, obj):
        return (obj.prompt[:80] + "…") if len(obj.prompt) > 80 else obj.prompt or f"({obj.kind} of an upload)"

    @admin.display(description="gates")
    def flags(self, obj):
        return "; ".join(f"{d.get('surface')}: {d.get('action')} {','.join(d.get('categories') or [])}"
                         for d in obj.decisions if d.get("action") != "allow")

    @admin.display(description="")
    def review_link(self, obj):
        return format_html('<a class="button" href="{}">Review</a>', reverse("admin:trust_heldrequest_review", args=[obj.pk]))

    def get_urls(self):
        own = [
            path("<uuid:job_id>/review/", self.admin_site.admin_view(self.review_view), name="trust_heldrequest_review"),
            path("<uuid:job_id>/upload/<str:which>/", self.admin_site.admin_view(self.upload_view),
                 name="trust_heldrequest_upload"),
        ]
        return own + super().get_urls()

    def review_view(self, request, job_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        job = get_object_or_404(HeldRequest.objects.select_related("user"), pk=job_id)
        form = ReviewForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            queue = reverse("admin:trust_heldrequest_changelist")
            try:
                if data["decision"] == "approve":
                    review.review_approve(job_id=job.pk, reviewer=request.user, note=data["note"])
                    self.message_user(request, f"Approved {job.pk}: it goes on to generation.", messages.SUCCESS)
                else:
                    review.review_reject(job_id=job.pk, reviewer=request.user, reason=data["reason_value"],
                                         note=data["note"])
                    self.message_user(request, f"Rejected {job.pk}; the user is told why.", messages.SUCCESS)
                return HttpResponseRedirect(queue)
            except review.ReviewConflict as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return HttpResponseRedirect(queue)
            except (PermissionDenied, ValueError) as exc:
                self.message_user(request, str(exc), messages.ERROR)
        context = {
            **self.admin_site.each_context(request), "opts": self.model._meta, "title": f"Review request {job.pk}",
            "job": job, "form": form, "history": selectors.user_history(job.user),
            "trail": selectors.audit_trail(f"job:{job.pk}"), "held": job.status == job.Status.HELD,
            "reasons": review.REJECT_REASONS,
        }
        return TemplateResponse(request, "admin/trust/heldrequest/review.html", context)

    def upload_view(self, request, job_id, which):
        """Serve a request's uploaded image (or mask) to reviewers only."""
        if not self.has_view_permission(request) or which not in ("image", "mask"):
            raise Http404
        job = get_object_or_404(HeldRequest, pk=job_id)
        field = job.upload if which == "image" else job.mask
        if not field:
            raise Http404
        return FileResponse(field.open("rb"), content_type="image/png")


# --- enforcement ---------------------------------------------------------------

@admin.register(Suspension)
class SuspensionAdmin(admin.ModelAdmin):
    list_display = ("user", "state", "starts", "ends", "permanent", "reason", "lifted", "lifted_by")
    list_filter = ("permanent",)
    search_fields = ("user__username", "reason")
    actions = ["lift", "make_permanent"]
    readonly_fields = ("user", "reason", "starts", "ends", "permanent", "lifted", "lifted_by", "note", "caused_by")

    def has_add_permission(self, request):
        return False

    @admin.display(description="caused by")
    def caused_by(self, obj):
        """Render each blocked request and the gate decision (tier, categories, reason) behind it."""
        rows = []
        for cause in obj.causes or []:
            d = cause.get("decision") or {}
            rows.append(format_html("<li>job {} — {} {} [{}]: {}</li>", cause.get("job") or "—",
                                    d.get("action", "strike"), ", ".join(d.get("categories") or [cause.get("category", "")]),
                                    d.get("tier", "?"), d.get("reason", "")))
        return format_html("<ul>{}</ul>", format_html_join("", "{}", ((r,) for r in rows))) if rows else "—"

    def has_delete_permission(self, request, obj=None):
        return False

    def _act(self, request, queryset, service, done: str):
        for suspension in queryset:
            try:
                service(suspension_id=suspension.pk, actor=request.user, note=f"via admin by {request.user.username}")
                self.message_user(request, f"{done}: {suspension.user}.", messages.SUCCESS)
            except enforcement.SuspensionConflict as exc:
                self.message_user(request, str(exc), messages.ERROR)

    @admin.action(description="Lift the selected suspensions", permissions=["change"])
    def lift(self, request, queryset):
        self._act(request, queryset, enforcement.suspension_lift, "Lifted")

    @admin.action(description="Make the selected suspensions permanent", permissions=["change"])
    def make_permanent(self, request, queryset):
        self._act(request, queryset, enforcement.suspension_make_permanent, "Made permanent")

    def save_model(self, request, obj, form, change):
        raise PermissionDenied("Change suspensions with the actions (they are audited).")


@admin.register(Strike)
class StrikeAdmin(_ReadOnly):
    list_display = ("created", "user", "category", "job_id")
    list_filter = ("category",)
    search_fields = ("user__username",)


# --- audit log -----------------------------------------------------------------

@admin.register(AuditEntry)
class AuditEntryAdmin(_ReadOnly):
    list_display = ("seq", "created", "event", "actor", "subject")
    list_filter = ("event",)
    search_fields = ("subject", "actor", "event")
    readonly_fields = ("seq", "created", "event", "actor", "subject", "data", "content_hash", "prev_hash", "entry_hash")
    change_list_template = "admin/trust/auditentry/change_list.html"
    show_full_result_count = False  # a count(*) over millions of rows on every page is slow

    def get_urls(self):
        own = [path("verify/", self.admin_site.admin_view(self.verify_view), name="trust_auditentry_verify")]
        return own + super().get_urls()

    def verify_view(self, request):
        if not request.user.has_perm("trust.view_auditentry"):
            raise PermissionDenied
        if request.method == "POST":
            try:
                cp = audit_checkpoint(force=True)
                self.message_user(request, f"Signed checkpoint at seq {cp.seq}." if cp else "The log is empty.",
                                  messages.SUCCESS)
            except CheckpointUnavailable as exc:
                self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:trust_auditentry_verify"))
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "title": "Verify the audit log",
                   "result": audit_verify(), "checkpoints": AuditCheckpoint.objects.order_by("-seq")[:10]}
        return TemplateResponse(request, "admin/trust/auditentry/verify.html", context)


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(_ReadOnly):
    list_display = ("seq", "created", "entry_hash")
