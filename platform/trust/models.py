from django.conf import settings
from django.db import models

from jobs.models import Job

GENESIS = "0" * 64


class AuditHead(models.Model):
    """The chain's tip, one row: appenders lock it so the chain never forks or gaps."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS)


class AuditEntry(models.Model):
    """One decision, append-only (a database trigger refuses UPDATE and DELETE).

    ``entry_hash`` covers every field plus ``content_hash``; the content itself (a
    prompt) lives in AuditContent so retention can delete it without breaking the chain."""

    seq = models.BigIntegerField(unique=True)
    created = models.DateTimeField()
    event = models.CharField(max_length=64, db_index=True)
    actor = models.CharField(max_length=150, blank=True)
    subject = models.CharField(max_length=200, blank=True, db_index=True)
    data = models.JSONField(default=dict)
    content_hash = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"#{self.seq} {self.event} {self.subject}"


class AuditContent(models.Model):
    """The redactable part of an entry (prompts): may be deleted by retention, never changed."""

    entry = models.OneToOneField(AuditEntry, on_delete=models.DO_NOTHING, primary_key=True, related_name="content_row",
                                 db_constraint=False)
    content = models.JSONField()


class AuditCheckpoint(models.Model):
    """The head hash at ``seq`` signed with the provenance key: a truncated tail is detectable."""

    seq = models.BigIntegerField(db_index=True)
    entry_hash = models.CharField(max_length=64)
    created = models.DateTimeField()
    signature = models.TextField()  # base64 ECDSA/RSA signature over checkpoint_message()
    certificate = models.TextField()  # the signer's PEM certificate at the time

    class Meta:
        ordering = ["seq", "id"]


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
        from django.utils import timezone

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
