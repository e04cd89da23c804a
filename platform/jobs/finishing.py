"""The CPU side of a job's last step: gate the model's pictures, stamp them, store them.

The GPU worker (jobs.rendering) leaves each job RUNNING with its pictures in ``Job.rendered`` and
queues `job_finish` on the CPU `safety` queue, so the GPU starts its next batch while this runs.
The job's states and audit trail are those of a job finished on one worker: RUNNING → STAMPING
(outputs allowed) → SUCCEEDED, or BLOCKED / CANCELLED. Every step checks under the row lock that
the attempt which made the pictures still holds the job, so a set is stored once.
"""
from __future__ import annotations

import hashlib
import logging
import time
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image as PILImage

from trust.audit import audit_event

from . import runtime
from .models import Image, Job
from .services import Attempt, Inputs, _lease, _lock_attempt, _set_status, _worst

if TYPE_CHECKING:
    from moderation import Decision

log = logging.getLogger(__name__)
Status = Job.Status


def job_finish(*, job_id, attempt: int) -> str:
    """Gate, stamp and store the pictures ``attempt`` rendered for the job; return its new status.

    Idempotent: run again after a crash (the task is redelivered, or the sweeper re-enqueues it),
    it gates and stamps the same pictures again, and stores them only if nothing was stored."""
    claimed = _resume(job_id, attempt)
    if isinstance(claimed, str):
        return claimed
    images = [_open_render(name) for name in claimed.job.rendered]
    outputs, status = job_gate_outputs(attempt=claimed, images=images)
    if status == Status.STAMPING:
        stamped = job_stamp(attempt=claimed, images=images)
        status = job_store(attempt=claimed, stamped=stamped, outputs=outputs)
    if status in Job.TERMINAL:
        _drop_renders(job_id, claimed.job.rendered)
    return status


def _resume(job_id, number: int) -> Attempt | str:
    """Take up the job's finishing for attempt ``number``; return the Attempt, or the status if there is nothing to finish."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.attempts != number or job.status not in (Status.RUNNING, Status.STAMPING) or not job.rendered:
            return job.status
        job.lease_until, job.progress_stage = _lease(), "checking outputs"
        job.save(update_fields=["lease_until", "progress_stage", "updated"])
    return Attempt(job=job, number=number)


def _open_render(name: str) -> PILImage.Image:
    with default_storage.open(name, "rb") as fh:
        picture = PILImage.open(fh, formats=["PNG"])
        picture.load()
    return picture.convert("RGB")


def _drop_renders(job_id, names: list[str]) -> None:
    """Delete the job's rendered pictures once it has ended (stored, blocked or cancelled)."""
    for name in names:
        default_storage.delete(name)
    Job.objects.filter(pk=job_id, status__in=Job.TERMINAL).update(rendered=[])


def _parent(job: Job) -> Inputs:
    """Return the job's canonical upload, the C2PA parent of its outputs (None for a generation)."""
    inputs = Inputs()
    if job.upload:
        with job.upload.open("rb") as fh:
            inputs.parent = fh.read()
    return inputs


def job_gate_outputs(*, attempt: Attempt, images: list) -> tuple[list[Decision], str]:
    """Judge every output; block the job on any doubt, else move it to STAMPING. Return the decisions and the status.

    Nothing leaves that the image classifier did not allow. An edit, variation or restyle is also
    held to the face-edit rule, so a prompt cannot paint a real-looking face into a photo."""
    gates = runtime.moderator()
    kind = attempt.job.kind
    purpose = kind if kind in (Job.Kind.EDIT, Job.Kind.VARIATION, Job.Kind.RESTYLE) else None
    outputs = [gates.check_image(image, surface="output", purpose=purpose) for image in images]
    worst = _worst(outputs)
    with _lock_attempt(attempt, Status.RUNNING, Status.STAMPING) as (job, ours):
        if not ours:
            return outputs, job.status
        if job.status == Status.STAMPING:  # a finish that died mid-stamp, run again: the same outputs passed
            job.lease_until = _lease()
            job.save(update_fields=["lease_until", "updated"])
            return outputs, job.status
        if worst and not worst.allowed:
            job.decisions = job.decisions + [worst.to_dict()]
            audit_event("gate.decision", subject=f"job:{job.id}", data=worst.to_dict())
            # An output the classifier doubts is withheld like a blocked one: fail closed.
            _set_status(job, Status.BLOCKED, error_code="content_policy_violation", error_message=worst.reason,
                        error_param="output")
        elif job.cancel_requested:  # arrived after the last model step: no need to stamp
            _set_status(job, Status.CANCELLED, error_code="cancelled", error_message="Cancelled by the user.")
        else:
            _set_status(job, Status.STAMPING, lease_until=_lease(), progress_stage="stamping", progress_step=0,
                        progress_total=len(images))
        return outputs, job.status


def job_stamp(*, attempt: Attempt, images: list) -> list[Image]:
    """Sign and watermark each output and write its file (outside any transaction); return the unsaved rows."""
    # Not a cycle: the C2PA library takes seconds to load, and only the finishing step stamps.
    from provenance import Record, new_record_id  # noqa: PLC0415

    job = attempt.job
    inputs = attempt.inputs or _parent(attempt.job)
    started = time.time()
    stamper = runtime.stamper()
    # The GPU step records which model made the pictures; this step never loads a model itself.
    model_id, model_version = job.timings.get("model_id"), job.timings.get("model_version")
    if model_id is None:  # called in the process that ran the model (tests, single-process use)
        gen = runtime.generator()
        model_id, model_version = gen.model_id, gen.model_version
    parent_format = "png" if inputs.parent else None  # the canonical PNG the gates judged
    stamped = []
    for index, image in enumerate(images):
        record_id = new_record_id()
        record = Record(record_id=record_id, kind=job.kind, model_id=model_id, model_version=model_version,
                        parent=inputs.parent, parent_format=parent_format)
        data, watermark_verified = stamper.stamp(image, record)
        item = Image(job=job, index=index, record_id=record_id, manifest_sha256=hashlib.sha256(data).hexdigest(),
                     model_id=model_id, model_version=model_version, watermark_verified=watermark_verified)
        item.file.save(f"{record_id}.png", ContentFile(data), save=False)
        stamped.append(item)
    attempt.stamping_s = time.time() - started
    return stamped


def job_store(*, attempt: Attempt, stamped: list[Image], outputs: list[Decision]) -> str:
    """Store the stamped images if this attempt still holds the job and no cancel arrived; return the status.

    Otherwise the files are deleted: a worker that lost its lease keeps the winner's set only,
    and a cancel that arrived while stamping wins over the finished work."""
    with _lock_attempt(attempt, Status.STAMPING) as (job, ours):
        if not ours or job.cancel_requested:
            for item in stamped:
                item.file.storage.delete(item.file.name)
            if ours:
                _set_status(job, Status.CANCELLED, error_code="cancelled", error_message="Cancelled by the user.")
            return job.status
        for item in stamped:
            item.save()
            audit_event("provenance.stamped", subject=f"job:{job.id}",
                        data={"record_id": item.record_id, "manifest_sha256": item.manifest_sha256, "index": item.index,
                              "watermark_verified": item.watermark_verified})
        timings = {**job.timings, "stamping_s": attempt.stamping_s, "finished": time.time(),
                   **({"generation_s": attempt.generation_s} if attempt.generation_s else {})}
        _set_status(job, Status.SUCCEEDED, progress_step=len(stamped), timings=timings,
                    decisions=job.decisions + [output.to_dict() for output in outputs])
        return job.status
