import uuid

from django.conf import settings
from django.db import models


class Job(models.Model):
    """One request for images; its status is changed only under select_for_update()."""

    class Kind(models.TextChoices):
        GENERATION = "generation"
        EDIT = "edit"
        VARIATION = "variation"
        RESTYLE = "restyle"  # the whole photo toward `prompt` from `from_prompt`, its layout kept

    class Status(models.TextChoices):
        QUEUED = "queued"
        MODERATING = "moderating"
        HELD = "held"
        RUNNING = "running"
        STAMPING = "stamping"
        SUCCEEDED = "succeeded"
        BLOCKED = "blocked"
        FAILED = "failed"
        CANCELLED = "cancelled"

    TERMINAL = (Status.SUCCEEDED, Status.BLOCKED, Status.FAILED, Status.CANCELLED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    api_key = models.ForeignKey("accounts.ApiKey", null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    prompt = models.TextField(blank=True)
    # Restyles only: the caption the photo starts from (blank = the generator's neutral default)
    # and how far, 0..1, its image embedding moves toward `prompt`.
    from_prompt = models.TextField(blank=True)
    amount = models.FloatField(null=True, blank=True)
    n = models.PositiveSmallIntegerField(default=1)
    size = models.PositiveSmallIntegerField(default=256)
    seed = models.BigIntegerField(null=True, blank=True)
    response_format = models.CharField(max_length=16, default="url")
    end_user = models.CharField(max_length=256, blank=True)  # OpenAI's `user` field, the partner's own end-user id
    # The upload in canonical form (jobs.intake): an 8-bit sRGB RGB PNG, and for edits the
    # regeneration mask as an L PNG (255 = regenerate). Every later reader uses these two files.
    upload = models.FileField(upload_to="uploads/%Y/%m/%d", null=True, blank=True)
    mask = models.FileField(upload_to="uploads/%Y/%m/%d", null=True, blank=True)
    upload_sha256 = models.CharField(max_length=64, blank=True)  # intake.pixel_digest of the canonical pixels

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress_stage = models.CharField(max_length=32, blank=True)
    progress_step = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    decisions = models.JSONField(default=list, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.TextField(blank=True)
    error_param = models.CharField(max_length=32, blank=True)
    # A reviewer's standard reason, by its trust.review.REJECT_REASONS key (blank: none, or their own
    # words, which error_message holds as written). The studio renders the key in the reader's language.
    review_reason = models.CharField(max_length=32, blank=True)
    cancel_requested = models.BooleanField(default=False)
    # The running worker renews this lease; a copy of the task delivered again
    # (a worker was killed) takes over only once it has lapsed.
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The storage names of the pictures the current attempt's model pass made, waiting on the CPU
    # queue for the output gate and stamping (jobs.finishing); emptied once the job ends.
    rendered = models.JSONField(default=list, blank=True)
    timings = models.JSONField(default=dict, blank=True)

    created = models.DateTimeField(auto_now_add=True, db_index=True)
    updated = models.DateTimeField(auto_now=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    @property
    def is_terminal(self) -> bool:
        return self.status in self.TERMINAL

    def __str__(self) -> str:
        return f"{self.kind} {self.id} ({self.status})"


class Image(models.Model):
    """A stamped output: its file carries the C2PA manifest and the watermark of ``record_id``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="images")
    index = models.PositiveSmallIntegerField()
    file = models.FileField(upload_to="images/%Y/%m/%d")
    record_id = models.CharField(max_length=64, unique=True)
    manifest_sha256 = models.CharField(max_length=64)
    # Whether the stamper read the watermark back from the stored bytes (null: stamped before the check).
    watermark_verified = models.BooleanField(null=True)
    model_id = models.CharField(max_length=200)
    model_version = models.CharField(max_length=200)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["job", "index"]
        constraints = [models.UniqueConstraint(fields=["job", "index"], name="one_image_per_job_index")]
