"""The audit log's tables: imported by trust.audit, which stays a leaf (no app's services or models).

Registered through trust.models, which imports them; kept apart from the models that build on jobs
(HeldRequest is a proxy of jobs.Job), so that writing an audit entry loads neither jobs nor accounts."""
from django.db import models

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
