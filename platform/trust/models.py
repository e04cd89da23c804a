from django.conf import settings
from django.db import models
from django.utils import timezone

from jobs.models import Job

# The audit tables live apart so trust.audit imports no app; here they are registered with the rest.
from .audit_models import GENESIS, AuditCheckpoint, AuditContent, AuditEntry, AuditHead  # noqa: F401


class Strike(models.Model):
    """A blocked request counted against an account."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="strikes")
    category = models.CharField(max_length=64)
    job_id = models.UUIDField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"strike {self.category} for {self.user}"


class Suspension(models.Model):
    """An account barred from generating until ``ends`` (for good when ``permanent``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="suspensions")
    reason = models.TextField()
    starts = models.DateTimeField(auto_now_add=True)
    ends = models.DateTimeField(null=True, blank=True)
    permanent = models.BooleanField(default=False)
    lifted = models.DateTimeField(null=True, blank=True)
    lifted_by = models.CharField(max_length=150, blank=True)
    note = models.TextField(blank=True)  # the staff member's last note (lift / make permanent)
    # What caused it: the blocked jobs and their gate decisions (or strikes), so staff can judge it.
    causes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-starts"]

    def __str__(self) -> str:
        return f"suspension of {self.user} ({self.state})"

    @property
    def state(self) -> str:
        if self.lifted:
            return "lifted"
        if self.permanent:
            return "permanent"
        if self.ends and self.ends <= timezone.now():
            return "expired"
        return "active"

    @property
    def until_text(self) -> str:
        """Return when the suspension ends, in words a user reads."""
        if self.permanent or self.ends is None:
            return "permanently"
        return f"until {self.ends.strftime('%Y-%m-%d %H:%M UTC')}"


class HeldRequest(Job):
    """The review queue's view of a job (a proxy: no table of its own)."""

    class Meta:
        proxy = True
        ordering = ["created"]  # oldest first
        verbose_name = "held request"
        permissions = [("review_request", "Can approve or reject held requests"),
                       ("view_upload", "Can view the picture uploaded with a held request")]
