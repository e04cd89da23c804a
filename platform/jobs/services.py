"""The request's one way: create → gates (safety queue) → generation, output gate and
stamping (gpu queue) → stored images. Status changes happen under select_for_update();
inference, classification, stamping and storage run outside transactions."""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

import generation
from trust.audit import audit_event

from . import intake, runtime
from .models import Image, Job

if TYPE_CHECKING:  # the library loads on first use (see _worst)
    from moderation import Decision

log = logging.getLogger(__name__)
Status = Job.Status


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
        transaction.on_commit(lambda: enqueue_moderation(job.id), robust=True)
    return job


def _audit_created(job: Job) -> None:
    """Append the request's own audit entry (called once, before its first status change)."""
    audit_event("job.created", actor=job.user, subject=f"job:{job.id}",
                data={"kind": job.kind, "n": job.n, "size": job.size, "created": job.created.isoformat(),
                      "key": job.api_key.prefix if job.api_key_id else None},
                content={"prompt": job.prompt} if job.prompt else None)


def enqueue_moderation(job_id) -> None:
    from .tasks import job_moderate  # noqa: PLC0415  (a real cycle: the tasks module imports this one)

    job_moderate.delay(str(job_id))


def enqueue_generation(job_id) -> None:
    from .tasks import job_generate  # noqa: PLC0415  (a real cycle, as above)

    job_generate.delay(str(job_id))


def enqueue_finish(job_id, attempt: int) -> None:
    from .tasks import job_finish  # noqa: PLC0415  (a real cycle, as above)

    job_finish.delay(str(job_id), attempt)


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


def _worst(decisions: list[Decision]) -> Decision | None:
    """Return the most severe of the gates' decisions (the library ranks them)."""
    # Not a cycle: the moderation library takes seconds to load; web processes that never gate skip it.
    import moderation  # noqa: PLC0415

    return moderation.most_severe(decisions)


@dataclass(frozen=True)
class Moderated:
    """What the input gates left: the job's status and, when they blocked it, the blocking decision.

    The caller (the thin task) hands ``block`` to trust's enforcement, so jobs never imports it."""

    job: Job
    status: str
    block: Decision | None = None


def job_moderate(*, job_id) -> Moderated:
    """Run the prompt and upload gates; return the job's new status (and the decision that blocked it)."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        # A copy delivered again after a worker died finds MODERATING and simply runs again.
        if job.status not in (Status.QUEUED, Status.MODERATING) or job.decisions:
            return Moderated(job, job.status)
        tries = int(job.timings.get("moderate_attempts", 0)) + 1
        if tries > settings.HALLMARK["MAX_ATTEMPTS"]:  # it keeps killing its worker: end it
            _set_status(job, Status.FAILED, error_code="attempts_exhausted",
                        error_message=f"The safety check did not finish in {tries - 1} attempts.")
            return Moderated(job, job.status)
        if job.status == Status.QUEUED:
            _audit_created(job)
        _set_status(job, Status.MODERATING, timings={**job.timings, "moderate_attempts": tries})
    started = time.time()
    decisions: list[Decision] = []
    gates = runtime.moderator()
    if job.prompt:
        decisions.append(gates.check_text(job.prompt, surface="prompt"))
    if job.from_prompt:  # a restyle's starting caption is text the model reads too
        decisions.append(gates.check_text(job.from_prompt, surface="prompt"))
    gate_sha256 = None
    if job.upload:
        picture = _canonical_picture(job)
        gate_sha256 = intake.pixel_digest(picture)  # the array the gate judges (compared with the generator's)
        decisions.append(gates.check_image(picture, surface="upload", purpose=job.kind))
    worst = _worst(decisions)
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.status != Status.MODERATING:  # cancelled meanwhile
            return Moderated(job, job.status)
        job.decisions = [decision.to_dict() for decision in decisions]  # typed until stored here
        job.timings = {**job.timings, "gate_s": time.time() - started, "gated": time.time(),
                       **({"gate_sha256": gate_sha256} if gate_sha256 else {})}
        for stored in job.decisions:
            audit_event("gate.decision", subject=f"job:{job.id}", data=stored)
        if worst and worst.blocked:
            _set_status(job, Status.BLOCKED, error_code="content_policy_violation", error_message=worst.reason,
                        error_param="image" if worst.surface == "upload" else "prompt")
            return Moderated(job, job.status, block=worst)
        elif worst and worst.held:
            _set_status(job, Status.HELD, error_code="held_for_review", error_message=worst.reason)
        else:
            _set_status(job, Status.QUEUED, progress_stage="waiting for a GPU worker")
            transaction.on_commit(lambda: enqueue_generation(job.id), robust=True)  # else the sweeper
        return Moderated(job, job.status)


def _canonical_picture(job: Job):
    """Return the job's stored canonical picture (RGB), the one every reader uses."""
    with job.upload.open("rb") as fh:
        return intake.load_canonical(fh.read())


def job_release_held(*, job_id, reviewer=None, note: str = "") -> Job:
    """Send a held job on to the GPU queue; raise JobConflict if it is no longer held."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.status != Status.HELD:
            raise JobConflict(f"Job {job.id} is {job.status}, not held.")
        _set_status(job, Status.QUEUED, error_code="", error_message="", progress_stage="waiting for a GPU worker")
        audit_event("review.approved", actor=reviewer, subject=f"job:{job.id}", data={"note": note})
        transaction.on_commit(lambda: enqueue_generation(job.id))
    return job


def job_reject_held(*, job_id, reviewer=None, reason: str, note: str = "", code: str = "rejected_in_review",
                    reason_key: str = "") -> Job:
    """Refuse a held job with ``reason`` (the English text the API shows); raise JobConflict if it is no longer held.

    ``reason_key`` names a standard reason (trust.review.REJECT_REASONS), stored so it can be shown translated."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.status != Status.HELD:
            raise JobConflict(f"Job {job.id} is {job.status}, not held.")
        _set_status(job, Status.BLOCKED, error_code=code, error_message=reason, review_reason=reason_key)
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


def job_stop_pending(*, user_id: int, reason: str) -> list[str]:
    """End every job of a just-suspended account that has not produced images yet; return their ids.

    Held jobs are rejected, waiting ones cancelled, running ones stop at their next step:
    nothing a suspended account sent is generated. Call it with no row locks held (trust does,
    after the suspension commits): it locks the account's jobs one by one."""
    stopped = []
    pending = Job.objects.filter(user_id=user_id).exclude(status__in=Job.TERMINAL).values_list("pk", "status")
    for job_id, status in list(pending):
        try:
            if status == Status.HELD:
                job_reject_held(job_id=job_id, reason=reason, code="account_suspended", note="account suspended")
            else:
                job_cancel(job_id=job_id, reason=reason, code="account_suspended")
        except JobConflict:
            continue  # it ended meanwhile
        stopped.append(str(job_id))
    return stopped


def _lease() -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=settings.HALLMARK["JOB_LEASE_S"])


# The job's life after its gates, one step each: claim → run the model (jobs.rendering, the gpu
# queue, batched with other jobs) → gate the outputs → stamp → store if still ours
# (jobs.finishing, a CPU queue). Each step after the claim checks, under the row lock
# (_lock_attempt), that this attempt still holds the job: a worker whose lease lapsed while
# it computed, or a job cancelled meanwhile, never overwrites what the winner stored.


@dataclass
class Attempt:
    """One worker's claim on a job: the job as claimed and the attempt number it holds."""

    job: Job
    number: int
    inputs: Inputs | None = None  # read by the model step (or the stamp step: the parent)
    generation_s: float = 0.0
    stamping_s: float = 0.0


@dataclass
class Inputs:
    """What the model reads: the canonical upload (also the C2PA parent) and the edit area."""

    parent: bytes | None = None
    picture: Any = None
    area: Any = None


@contextmanager
def _lock_attempt(attempt: Attempt, *statuses: str) -> Iterator[tuple[Job, bool]]:
    """Lock the job row; yield it and whether ``attempt`` still holds it in one of ``statuses``."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=attempt.job.pk)
        yield job, job.attempts == attempt.number and job.status in statuses


def job_claim(*, job_id) -> Attempt | str:
    """Take the job for a new attempt (status RUNNING, a fresh lease); return the Attempt, or the status if not ours.

    Raises JobBusy while another worker's lease is alive."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        # A job reaches the GPU only after its gates ran: no decisions, no generation.
        if job.status not in (Status.QUEUED, Status.RUNNING, Status.STAMPING) or not job.decisions:
            return job.status
        if job.rendered:  # the pictures are made; the CPU queue gates and stamps them (jobs.finishing)
            return job.status
        if job.status in (Status.RUNNING, Status.STAMPING) and job.lease_until and job.lease_until > timezone.now():
            raise JobBusy(str(job.id))
        if job.cancel_requested:
            _set_status(job, Status.CANCELLED, error_code="cancelled", error_message="Cancelled by the user.")
            return job.status
        number = job.attempts + 1
        if number > settings.HALLMARK["MAX_ATTEMPTS"]:  # each earlier run died (killed worker, lost lease)
            _set_status(job, Status.FAILED, error_code="attempts_exhausted",
                        error_message=f"Generation did not finish in {job.attempts} attempts.")
            return job.status
        queue_wait = time.time() - job.timings.get("gated", job.timings.get("created", time.time()))
        _set_status(job, Status.RUNNING, attempts=number, lease_until=_lease(), progress_stage="starting",
                    progress_step=0, progress_total=0, timings={**job.timings, "queue_wait_s": queue_wait})
    return Attempt(job=job, number=number)


def job_fail(*, job_id, message: str, code: str = "generation_failed") -> None:
    """Mark a job failed after its retries ran out, saying why."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if not job.is_terminal:
            _set_status(job, Status.FAILED, error_code=code, error_message=message)


def job_drop_lease(*, job_id) -> None:
    """Let the retry of a job whose worker hit an error start at once."""
    Job.objects.filter(pk=job_id, status__in=(Status.RUNNING, Status.STAMPING)).update(lease_until=None, status=Status.QUEUED)
