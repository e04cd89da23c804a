"""The steps compose without a broker: the GPU step renders a gated job and hands it on; the CPU step
gates, stamps and stores it."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_a_gated_job_is_rendered_then_gated_stamped_and_stored(gated_job, tiny_model_dir, signing_keys,
                                                                 django_capture_on_commit_callbacks):
    from jobs import finishing, rendering

    job = gated_job(n=2)
    with django_capture_on_commit_callbacks() as queued:
        assert rendering.job_generate(job_id=job.id) == "running"  # handed on, not stamped on the GPU worker
    job.refresh_from_db()
    assert job.images.count() == 0 and len(job.rendered) == 2 and job.progress_stage == "checking outputs"
    assert len(queued) == 1  # the finish task, queued once the hand-off committed
    assert finishing.job_finish(job_id=job.id, attempt=job.attempts) == "succeeded", job.error_message
    job.refresh_from_db()
    assert [image.index for image in job.images.all()] == [0, 1]
    assert [d["surface"] for d in job.decisions] == ["prompt", "output", "output"]
    assert {"generation_s", "stamping_s", "queue_wait_s", "model_id"} <= set(job.timings)
    assert job.images.first().model_id == job.timings["model_id"]
    assert job.rendered == []  # the intermediate pictures are gone once the job ended


def test_a_finish_delivered_twice_stores_one_set(gated_job, tiny_model_dir, signing_keys):
    from jobs import finishing, rendering

    job = gated_job()
    rendering.job_generate(job_id=job.id)
    job.refresh_from_db()
    rendered = list(job.rendered)
    assert finishing.job_finish(job_id=job.id, attempt=1) == "succeeded"
    assert finishing.job_finish(job_id=job.id, attempt=1) == "succeeded"  # the redelivered copy: nothing to do
    assert job.images.count() == 1
    from django.core.files.storage import default_storage

    assert not any(default_storage.exists(name) for name in rendered)


def test_a_finish_that_died_mid_stamp_is_redone_once(gated_job, tiny_model_dir, signing_keys):
    from jobs import finishing, rendering
    from jobs.models import Job

    job = gated_job()
    rendering.job_generate(job_id=job.id)
    # The CPU worker gated the outputs (STAMPING), then was killed before storing anything.
    Job.objects.filter(pk=job.pk).update(status="stamping", lease_until=None)
    assert finishing.job_finish(job_id=job.id, attempt=1) == "succeeded"
    assert job.images.count() == 1


def test_the_gpu_step_leaves_a_rendered_job_to_the_cpu_queue(gated_job, tiny_model_dir, signing_keys, lapse):
    from jobs import rendering, services

    job = gated_job()
    rendering.job_generate(job_id=job.id)
    lapse(job)
    # A second delivery of the GPU task (or a sweep) must not render the job again.
    assert services.job_claim(job_id=job.id) == "running"
    job.refresh_from_db()
    assert job.attempts == 1


def test_every_kind_has_one_name_in_the_library():
    from jobs import rendering
    from jobs.models import Job

    assert set(rendering.BATCH_KINDS) == set(Job.Kind.values)
