from django.db import models


class AuditHead(models.Model):
    """The chain's tip, one row: appenders lock it so the chain never forks."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)


class AuditEntry(models.Model):
    """One decision, append-only. ``entry_hash`` covers every field but ``content``,
    which is hashed separately (``content_hash``) so it can be redacted without
    breaking the chain."""

    seq = models.BigIntegerField(unique=True)
    created = models.DateTimeField()
    event = models.CharField(max_length=64, db_index=True)
    actor = models.CharField(max_length=150, blank=True)
    subject = models.CharField(max_length=200, blank=True, db_index=True)
    data = models.JSONField(default=dict)
    content = models.JSONField(null=True, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        verbose_name_plural = "audit entries"


class Strike(models.Model):
    """A blocked request counted against an account."""

    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="strikes")
    category = models.CharField(max_length=64)
    job_id = models.UUIDField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)


class Suspension(models.Model):
    """An account barred from generating until ``ends`` (never, when null and permanent)."""

    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="suspensions")
    reason = models.TextField()
    starts = models.DateTimeField(auto_now_add=True)
    ends = models.DateTimeField(null=True, blank=True)
    permanent = models.BooleanField(default=False)
    lifted = models.DateTimeField(null=True, blank=True)
    lifted_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-starts"]
