"""The steps compose: job_generate, called without a broker, takes a gated job to stamped images."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_a_gated_job_is_generated_gated_stamped_and_stored(gated_job, tiny_model_dir, signing_keys):
    from jobs import services

    job = gated_job(n=2)
    assert services.job_generate(job_id=job.id) == "succeeded", job.error_message
    job.refresh_from_db()
    assert [image.index for image in job.images.all()] == [0, 1]
    assert [d["surface"] for d in job.decisions] == ["prompt", "output", "output"]
    assert {"generation_s", "stamping_s", "queue_wait_s"} <= set(job.timings)


def test_every_kind_has_one_way_to_run_the_model():
    from jobs import services
    from jobs.models import Job

    assert set(services.MODEL_CALLS) == set(Job.Kind.values)
