"""The GPU worker's step: gather queued jobs that can share a pass, run them as one batch, and hand
each job's pictures to the CPU queue (jobs.finishing) so the next batch starts at once.

Every job in a batch is claimed on its own (jobs.services.job_claim's rules: its own attempt
number and lease), reports its own progress and honours its own cancel: a cancelled job leaves
the batch and the others carry on. A worker killed mid-batch leaves each job with a lease that
lapses; each job's own task (or the sweeper) claims it again, and jobs.finishing stores a set
only for the attempt that still holds the job, so nothing is stored twice.
"""
from __future__ import annotations

import io
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

import generation

from . import intake, runtime, services
from .models import Job
from .services import Attempt, Inputs, _lock_attempt, _set_status

log = logging.getLogger(__name__)
Status = Job.Status

# The library's name for each kind of job (restyles run item by item inside a batch call).
BATCH_KINDS = {Job.Kind.GENERATION: "generate", Job.Kind.VARIATION: "vary", Job.Kind.EDIT: "edit",
               Job.Kind.RESTYLE: "restyle"}


class _Progress:
    """One job's progress callback: stores progress, renews the job's lease, honours its cancel."""

    def __init__(self, job: Job, attempt: int):
        self.job_id, self.attempt, self.last = job.id, attempt, 0.0

    def __call__(self, stage: str, step: int, total: int):
        now = time.monotonic()
        if now - self.last < 0.25 and step not in (0, total):
            return None
        self.last = now
        Job.objects.filter(pk=self.job_id, attempts=self.attempt).update(
            progress_stage=stage, progress_step=step, progress_total=total, lease_until=services._lease(),
            updated=timezone.now())
        if Job.objects.filter(pk=self.job_id, cancel_requested=True).exists():
            raise generation.Cancelled(f"job {self.job_id} cancelled")
        return None


def read_inputs(attempt: Attempt) -> Inputs:
    """Read the job's canonical upload and mask; record the generator's pixel digest next to the gate's."""
    job, inputs = attempt.job, Inputs()
    if job.upload:
        with job.upload.open("rb") as fh:
            inputs.parent = fh.read()  # the canonical PNG: also the C2PA parent
        inputs.picture = intake.load_canonical(inputs.parent)
        # The array the generator receives, recorded next to the gate's (they must agree).
        job.timings = {**job.timings, "generator_sha256": intake.pixel_digest(inputs.picture)}
        Job.objects.filter(pk=job.pk, attempts=attempt.number).update(timings=job.timings)
    if job.mask:
        with job.mask.open("rb") as fh:
            inputs.area = intake.load_mask(fh.read())
    return inputs


def batch_item(attempt: Attempt) -> generation.BatchItem:
    """Return the library's description of the claimed job: its inputs, seed, progress and cancel."""
    job = attempt.job
    inputs = attempt.inputs = read_inputs(attempt)
    options = {}
    if job.kind == Job.Kind.RESTYLE:
        options = {"from_prompt": job.from_prompt or None, "amount": 0.5 if job.amount is None else job.amount}
    return generation.BatchItem(kind=BATCH_KINDS[job.kind], prompt=job.prompt, image=inputs.picture, mask=inputs.area,
                                n=job.n, size=job.size, seed=job.seed, steps=settings.HALLMARK["GENERATION_STEPS"],
                                progress=_Progress(job, attempt.number), key=str(job.id), options=options)


def batch_limit(size: int) -> int:
    """Return the most images one pass at ``size`` may hold: the configured cap, within the memory budget."""
    cfg = settings.HALLMARK
    return min(cfg["GPU_BATCH_MAX_IMAGES"], generation.images_that_fit(size, cfg["GPU_BATCH_MEMORY_MB"] * 2**20))


def gather(leader: Attempt) -> list[Attempt]:
    """Claim queued jobs that can share the leader's pass (same kind and size), oldest first.

    Waits up to ``GPU_BATCH_WINDOW_S`` for the batch to fill. A job that once failed in a batch
    runs alone from then on (``timings.solo``), so one bad job cannot use up its companions'
    attempts. Restyles never batch (the library runs them one by one anyway)."""
    job = leader.job
    limit = batch_limit(job.size)
    if job.kind == Job.Kind.RESTYLE or job.timings.get("solo") or job.n >= limit:
        return [leader]
    batch, images = [leader], job.n
    deadline = time.monotonic() + settings.HALLMARK["GPU_BATCH_WINDOW_S"]
    while True:
        candidates = (Job.objects.filter(status=Status.QUEUED, kind=job.kind, size=job.size, cancel_requested=False,
                                         n__lte=limit - images)
                      .exclude(decisions=[]).exclude(timings__has_key="solo")
                      .exclude(pk__in=[a.job.pk for a in batch]).order_by("created").values_list("pk", "n"))
        for job_id, n in list(candidates[: limit - images]):
            if images + n > limit:  # checked before the claim: a claim spends one of the job's attempts
                continue
            try:
                claimed = services.job_claim(job_id=job_id)
            except services.JobBusy:
                continue
            if isinstance(claimed, Attempt):
                batch.append(claimed)
                images += n
        if images >= limit or time.monotonic() >= deadline:
            return batch
        time.sleep(0.05)


def job_generate(*, job_id) -> str:
    """The GPU step for ``job_id`` and whatever queued jobs share its pass; return ``job_id``'s status.

    Idempotent per job: a job whose lease is alive elsewhere raises JobBusy (the task looks again
    later), a job whose pictures wait for the CPU queue is left to it, and a job whose lease
    lapsed is taken over."""
    leader = services.job_claim(job_id=job_id)
    if isinstance(leader, str):
        return leader
    batch = gather(leader)
    try:
        run_batch(batch)
    except Exception:
        if len(batch) > 1:
            # The whole pass failed (out of memory, one bad input): the leader's task retries it;
            # the companions go back to the queue. Each runs alone from now on, on its own attempts.
            for attempt in batch:
                solo_again(attempt, requeue=attempt is not leader)
        raise
    return Job.objects.values_list("status", flat=True).get(pk=job_id)


def run_batch(batch: list[Attempt]) -> None:
    """Run the claimed jobs as one pass; hand each job's pictures on, or end it (cancelled, invalid)."""
    items = [batch_item(attempt) for attempt in batch]
    started = time.time()
    results = runtime.generator().run_batch(items)
    elapsed = time.time() - started
    images = sum(item.n for item in items)
    for attempt, result in zip(batch, results):
        attempt.generation_s = elapsed
        if isinstance(result.error, generation.Cancelled):
            _end_if_ours(attempt, Status.CANCELLED, error_code="cancelled", error_message="Cancelled by the user.")
        elif isinstance(result.error, generation.InvalidRequest):
            _end_if_ours(attempt, Status.FAILED, error_code="invalid_request", error_message=str(result.error),
                         error_param=getattr(result.error, "param", "") or "")
        elif result.error is not None:  # another GenerationError: this job's, not the batch's
            _end_if_ours(attempt, Status.FAILED, error_code="generation_failed",
                         error_message=f"Generation failed: {type(result.error).__name__}: {result.error}")
        else:
            hand_off(attempt, result.images, batch_jobs=len(items), batch_images=images)


def _end_if_ours(attempt: Attempt, status: str, **fields) -> str:
    """End the job in ``status`` if this attempt still holds it; return its status."""
    with _lock_attempt(attempt, Status.RUNNING, Status.STAMPING) as (job, ours):
        if ours:
            _set_status(job, status, **fields)
        return job.status


def hand_off(attempt: Attempt, images: list, *, batch_jobs: int = 1, batch_images: int = 0) -> bool:
    """Store the model's pictures and queue the job's output gate and stamping on the CPU queue.

    The pictures are written losslessly and fast (PNG, level 1); the job stays RUNNING with
    ``rendered`` set until jobs.finishing gates them. Return False (and delete the files) when
    this attempt no longer holds the job."""
    job = attempt.job
    names = []
    for index, image in enumerate(images):
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", compress_level=1)
        names.append(default_storage.save(f"renders/{job.id}/{attempt.number}-{index}.png", ContentFile(buffer.getvalue())))
    with _lock_attempt(attempt, Status.RUNNING) as (locked, ours):
        if not ours:
            for name in names:
                default_storage.delete(name)
            return False
        gen = runtime.generator()
        timings = {**locked.timings, "generation_s": attempt.generation_s, "batch_jobs": batch_jobs,
                   "batch_images": batch_images or job.n, "model_id": gen.model_id, "model_version": gen.model_version}
        locked.rendered, locked.timings = names, timings
        locked.progress_stage, locked.lease_until = "checking outputs", None
        locked.save(update_fields=["rendered", "timings", "progress_stage", "lease_until", "updated"])
        transaction.on_commit(lambda: services.enqueue_finish(job.id, attempt.number), robust=True)  # else the sweeper
    return True


def solo_again(attempt: Attempt, *, requeue: bool) -> None:
    """Mark a job of a failed batch to run alone from now on; with ``requeue``, send it back to the queue
    (its attempt stays counted). The leader is not requeued: its own task retries it."""
    with _lock_attempt(attempt, Status.RUNNING) as (job, ours):
        if not ours:
            return
        job.timings = {**job.timings, "solo": True}
        if requeue:
            job.status, job.lease_until = Status.QUEUED, None
            transaction.on_commit(lambda: services.enqueue_generation(job.id), robust=True)
        job.save(update_fields=["status", "lease_until", "timings", "updated"])
