"""The request's one way: create → gates (safety queue) → generation, output gate and
stamping (gpu queue) → stored images. Status changes happen under select_for_update();
inference, classification, stamping and storage run outside transactions."""
from __future__ import annotations

import datetime as dt
import logging
import time

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from trust.audit import audit_event

from . import intake
from .models import Image, Job

log = logging.getLogger(__name__)
Status = Job.Status
SEVERITY = {"allow": 0, "review": 1, "block": 2}


class JobConflict(Exception):
    """The job is not in a state that allows the action (someone else acted first)."""


class JobBusy(Exception):
    """Another worker holds a live lease on the job; try again later."""


def job_create(*, user, api_key=None, kind: str, prompt: str = "", n: int = 1, size: int = 256, seed: int | None = None,
               response_format: str = "url", end_user: str = "", upload: intake.Canonical | None = None,
               from_prompt: str = "", amount: float | None = None) -> Job:
    """Store a new job and queue its safety gates; nothing reaches a GPU before they pass.

    ``upload`` is the intake's canonical picture (and mask): stored once, read by every later step.
    ``from_prompt`` and ``amount`` are a restyle's (blank/None: the generator's defaults)."""
    job = Job(user=user, api_key=api_key, kind=kind, prompt=prompt, n=n, size=size, seed=seed,
              response_format=response_format, end_user=end_user[:256], from_prompt=from_prompt, amount=amount)
    job.timings = {"created": time.time()}
    if upload is not None:
        job.upload.save(f"{job.id}-image.png", ContentFile(upload.png), save=False)
        job.upload_sha256 = upload.sha256
        job.timings["intake"] = upload.notes
        if upload.mask_png is not None:
            job.mask.save(f"{job.id}-mask.png", ContentFile(upload.mask_png), save=False)
    with transaction.atomic():
        job.save()
        # The audit entry for the request is appended by the first worker step (_audit_created):
        # the chain's head lock serialises every append, and the request path stays off it.
        # robust: the job is stored; if the broker is away the sweeper enqueues it later,
        # and the client still gets its 202 and job id instead of a 500.
        transaction.on_commit(lambda: _enqueue_moderation(job.id), robust=True)
    return job


def _audit_created(job: Job) -> None:
    """Append the request's own audit entry (called once, before its first status change)."""
    audit_event("job.created", actor=job.user, subject=f"job:{job.id}",
                data={"kind": job.kind, "n": job.n, "size": job.size, "created": job.created.isoformat(),
                      "key": job.api_key.prefix if job.api_key_id else None},
                content={"prompt": job.prompt} if job.prompt else None)


def _enqueue_moderation(job_id) -> None:
    from .tasks import job_moderate

    job_moderate.delay(str(job_id))


def _enqueue_generation(job_id) -> None:
    from .tasks import job_generate

    job_generate.delay(str(job_id))


def _set_status(job: Job, status: str, **fields) -> None:
    """Move ``job`` (locked by the caller) to ``status``, audited."""
    old = job.status
    job.status = status
    for name, value in fields.items():
        setattr(job, name, value)
    if status in Job.TERMINAL:
        job.finished = timezone.now()
        job.lease_until = None
    job.save()
    audit_event("job.status", subject=f"job:{job.id}",
                data={"from": old, "to": status, **({"code": job.error_code} if job.error_code else {})})


def _worst(decisions: list[dict]) -> dict | None:
    return max(decisions, key=lambda d: SEVERITY.get(d["action"], 2), default=None)


def job_moderate(*, job_id) -> str:
    """Run the prompt and upload gates; return the job's new status."""
    from . import runtime

    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        # A copy delivered again after a worker died finds MODERATING and simply runs again.
        if job.status not in (Status.QUEUED, Status.MODERATING) or job.decisions:
            return job.status
        tries = int(job.timings.get("moderate_attempts", 0)) + 1
        if tries > settings.HALLMARK["MAX_ATTEMPTS"]:  # it keeps killing its worker: end it
            _set_status(job, Status.FAILED, error_code="attempts_exhausted",
                        error_message=f"The safety check did not finish in {tries - 1} attempts.")
            return job.status
        if job.status == Status.QUEUED:
            _audit_created(job)
        _set_status(job, Status.MODERATING, timings={**job.timings, "moderate_attempts": tries})
    started = time.time()
    decisions: list[dict] = []
    gates = runtime.moderator()
    if job.prompt:
        decisions.append(gates.check_text(job.prompt, surface="prompt").to_dict())
    if job.from_prompt:  # a restyle's starting caption is text the model reads too
        decisions.append(gates.check_text(job.from_prompt, surface="prompt").to_dict())
    gate_sha256 = None
    if job.upload:
        picture = _canonical_picture(job)
        gate_sha256 = intake.pixel_digest(picture)  # the array the gate judges (compared with the generator's)
        decisions.append(gates.check_image(picture, surface="upload", purpose=job.kind).to_dict())
    worst = _worst(decisions)
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.status != Status.MODERATING:  # cancelled meanwhile
            return job.status
        job.decisions = decisions
        job.timings = {**job.timings, "gate_s": time.time() - started, "gated": time.time(),
                       **({"gate_sha256": gate_sha256} if gate_sha256 else {})}
        for decision in decisions:
            audit_event("gate.decision", subject=f"job:{job.id}", data=decision)
        if worst and worst["action"] == "block":
            _set_status(job, Status.BLOCKED, error_code="content_policy_violation", error_message=worst["reason"],
                        error_param="image" if worst["surface"] == "upload" else "prompt")
            _after_block(job, worst)
        elif worst and worst["action"] == "review":
            _set_status(job, Status.HELD, error_code="held_for_review", error_message=worst["reason"])
        else:
            _set_status(job, Status.QUEUED, progress_stage="waiting for a GPU worker")
            transaction.on_commit(lambda: _enqueue_generation(job.id), robust=True)  # else the sweeper
        return job.status


def _canonical_picture(job: Job):
    """Return the job's stored canonical picture (RGB), the one every reader uses."""
    with job.upload.open("rb") as fh:
        return intake.load_canonical(fh.read())


def _after_block(job: Job, decision: dict) -> None:
    """Count the block against the account (enforcement lives in the trust app)."""
    from trust import enforcement

    enforcement.record_block(user=job.user, job=job, decision=decision)


def job_release_held(*, job_id, reviewer=None, note: str = "") -> Job:
    """Send a held job on to the GPU queue; raise JobConflict if it is no longer held."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.status != Status.HELD:
            raise JobConflict(f"Job {job.id} is {job.status}, not held.")
        _set_status(job, Status.QUEUED, error_code="", error_message="", progress_stage="waiting for a GPU worker")
        audit_event("review.approved", actor=reviewer, subject=f"job:{job.id}", data={"note": note})
        transaction.on_commit(lambda: _enqueue_generation(job.id))
    return job


def job_reject_held(*, job_id, reviewer=None, reason: str, note: str = "", code: str = "rejected_in_review") -> Job:
    """Refuse a held job with ``reason`` (shown to the user); raise JobConflict if it is no longer held."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.status != Status.HELD:
            raise JobConflict(f"Job {job.id} is {job.status}, not held.")
        _set_status(job, Status.BLOCKED, error_code=code, error_message=reason)
        audit_event("review.rejected", actor=reviewer, subject=f"job:{job.id}", data={"reason": reason, "note": note})
    return job


def job_cancel(*, job_id, actor=None, reason: str = "Cancelled by the user.", code: str = "cancelled") -> Job:
    """Cancel a job: at once if it is not running, else at the worker's next progress step.

    ``reason``/``code`` let enforcement say why (a suspended account's pending jobs)."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.is_terminal:
            raise JobConflict(f"Job {job.id} already ended ({job.status}).")
        job.cancel_requested = True
        if job.status in (Status.RUNNING, Status.STAMPING):
            job.save(update_fields=["cancel_requested", "updated"])
            audit_event("job.cancel_requested", actor=actor, subject=f"job:{job.id}")
        else:
            if job.status == Status.QUEUED and not job.decisions:  # never reached a worker
                _audit_created(job)
            _set_status(job, Status.CANCELLED, error_code=code, error_message=reason)
    return job


def _lease() -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=settings.HALLMARK["JOB_LEASE_S"])


class _Progress:
    """The generation progress callback: stores progress, renews the lease, honours cancel."""

    def __init__(self, job: Job, attempt: int):
        self.job_id, self.attempt, self.last = job.id, attempt, 0.0

    def __call__(self, stage: str, step: int, total: int):
        import generation

        now = time.monotonic()
        if now - self.last < 0.25 and step not in (0, total):
            return None
        self.last = now
        Job.objects.filter(pk=self.job_id, attempts=self.attempt).update(
            progress_stage=stage, progress_step=step, progress_total=total, lease_until=_lease(), updated=timezone.now())
        if Job.objects.filter(pk=self.job_id, cancel_requested=True).exists():
            raise generation.Cancelled(f"job {self.job_id} cancelled")
        return None


def job_generate(*, job_id) -> str:
    """Generate, gate the outputs, stamp and store them; return the job's new status.

    Idempotent per job: a second delivery of the task waits while another worker's lease
    is alive (JobBusy), takes over once it has lapsed, and a worker that lost its lease
    discards its results instead of storing a second set."""
    import generation

    from . import runtime

    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        # A job reaches the GPU only after its gates ran: no decisions, no generation.
        if job.status not in (Status.QUEUED, Status.RUNNING, Status.STAMPING) or not job.decisions:
            return job.status
        if job.status in (Status.RUNNING, Status.STAMPING) and job.lease_until and job.lease_until > timezone.now():
            raise JobBusy(str(job.id))
        if job.cancel_requested:
            _set_status(job, Status.CANCELLED, error_code="cancelled", error_message="Cancelled by the user.")
            return job.status
        attempt = job.attempts + 1
        if attempt > settings.HALLMARK["MAX_ATTEMPTS"]:  # each earlier run died (killed worker, lost lease)
            _set_status(job, Status.FAILED, error_code="attempts_exhausted",
                        error_message=f"Generation did not finish in {job.attempts} attempts.")
            return job.status
        queue_wait = time.time() - job.timings.get("gated", job.timings.get("created", time.time()))
        _set_status(job, Status.RUNNING, attempts=attempt, lease_until=_lease(), progress_stage="starting",
                    progress_step=0, progress_total=0, timings={**job.timings, "queue_wait_s": queue_wait})
    parent = picture = area = None
    if job.upload:
        with job.upload.open("rb") as fh:
            parent = fh.read()  # the canonical PNG: also the C2PA parent
        picture = intake.load_canonical(parent)
        # The array the generator receives, recorded next to the gate's (they must agree).
        job.timings = {**job.timings, "generator_sha256": intake.pixel_digest(picture)}
        Job.objects.filter(pk=job_id, attempts=attempt).update(timings=job.timings)
    if job.mask:
        with job.mask.open("rb") as fh:
            area = intake.load_mask(fh.read())
    steps = settings.HALLMARK["GENERATION_STEPS"]
    progress = _Progress(job, attempt)
    started = time.time()
    try:
        gen = runtime.generator()
        if job.kind == Job.Kind.GENERATION:
            images = gen.generate(job.prompt, n=job.n, size=job.size, seed=job.seed, steps=steps, progress=progress)
        elif job.kind == Job.Kind.VARIATION:
            images = gen.vary(picture, n=job.n, size=job.size, seed=job.seed, steps=steps, progress=progress)
        elif job.kind == Job.Kind.RESTYLE:
            images = gen.restyle(picture, job.prompt, from_prompt=job.from_prompt or None,
                                 amount=0.5 if job.amount is None else job.amount, n=job.n, size=job.size,
                                 seed=job.seed, steps=steps, progress=progress)
        else:
            images = gen.edit(picture, area, job.prompt, n=job.n, size=job.size, seed=job.seed, steps=steps, progress=progress)
    except generation.Cancelled:
        return _finish_if_current(job_id, attempt, Status.CANCELLED, error_code="cancelled", error_message="Cancelled by the user.")
    except generation.InvalidRequest as exc:
        return _finish_if_current(job_id, attempt, Status.FAILED, error_code="invalid_request", error_message=str(exc),
                                  error_param=getattr(exc, "param", "") or "")
    generation_s = time.time() - started

    # Output gate: nothing leaves that the image classifier did not allow. An edit, variation or
    # restyle is also held to the face-edit rule, so a prompt cannot paint a real-looking face into a photo.
    gates = runtime.moderator()
    purpose = job.kind if job.kind in (Job.Kind.EDIT, Job.Kind.VARIATION, Job.Kind.RESTYLE) else None
    outputs = [gates.check_image(image, surface="output", purpose=purpose).to_dict() for image in images]
    worst = _worst(outputs)
    if worst and worst["action"] != "allow":
        with transaction.atomic():
            locked = Job.objects.select_for_update().get(pk=job_id)
            if locked.attempts != attempt or locked.status != Status.RUNNING:
                return locked.status
            locked.decisions = locked.decisions + [worst]
            audit_event("gate.decision", subject=f"job:{job_id}", data=worst)
            # An output the classifier doubts is withheld like a blocked one: fail closed.
            _set_status(locked, Status.BLOCKED, error_code="content_policy_violation", error_message=worst["reason"],
                        error_param="output")
            return locked.status

    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job_id)
        if locked.attempts != attempt or locked.status != Status.RUNNING:
            return locked.status
        _set_status(locked, Status.STAMPING, lease_until=_lease(), progress_stage="stamping", progress_step=0,
                    progress_total=len(images))
    started_stamp = time.time()
    stamped = _stamp_all(job, images, parent)
    stamping_s = time.time() - started_stamp

    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job_id)
        if locked.attempts != attempt or locked.status != Status.STAMPING:
            for item in stamped:  # this worker lost its lease: keep the winner's set only
                item.file.storage.delete(item.file.name)
            return locked.status
        for item in stamped:
            item.save()
            audit_event("provenance.stamped", subject=f"job:{job_id}",
                        data={"record_id": item.record_id, "manifest_sha256": item.manifest_sha256, "index": item.index})
        timings = {**locked.timings, "generation_s": generation_s, "stamping_s": stamping_s, "finished": time.time()}
        _set_status(locked, Status.SUCCEEDED, progress_step=len(images), timings=timings, decisions=locked.decisions + outputs)
        return locked.status


def _stamp_all(job: Job, images, parent: bytes | None) -> list[Image]:
    import hashlib

    from provenance import Record, new_record_id

    from . import runtime

    gen, stamper = runtime.generator(), runtime.stamper()
    parent_format = "png" if parent else None  # the canonical PNG the gates judged
    stamped = []
    for index, image in enumerate(images):
        record_id = new_record_id()
        record = Record(record_id=record_id, kind=job.kind, model_id=gen.model_id, model_version=gen.model_version,
                        parent=parent, parent_format=parent_format)
        data = stamper.stamp(image, record)
        item = Image(job=job, index=index, record_id=record_id, manifest_sha256=hashlib.sha256(data).hexdigest(),
                     model_id=gen.model_id, model_version=gen.model_version)
        item.file.save(f"{record_id}.png", ContentFile(data), save=False)
        stamped.append(item)
    return stamped


def _finish_if_current(job_id, attempt: int, status: str, **fields) -> str:
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.attempts == attempt and not job.is_terminal:
            _set_status(job, status, **fields)
        return job.status


def job_fail(*, job_id, message: str, code: str = "generation_failed") -> None:
    """Mark a job failed after its retries ran out, saying why."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if not job.is_terminal:
            _set_status(job, Status.FAILED, error_code=code, error_message=message)


def job_drop_lease(*, job_id) -> None:
    """Let the retry of a job whose worker hit an error start at once."""
    Job.objects.filter(pk=job_id, status__in=(Status.RUNNING, Status.STAMPING)).update(lease_until=None, status=Status.QUEUED)
