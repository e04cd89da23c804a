"""A cancel that arrives while the outputs are being stamped wins: the files are discarded, the job is cancelled."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_a_cancel_during_stamping_discards_the_stamped_files(gated_job, pictures, signing_keys, tiny_model_dir):
    from jobs import finishing, services
    from jobs.models import Image

    job = gated_job()
    attempt = services.job_claim(job_id=job.id)
    outputs, status = finishing.job_gate_outputs(attempt=attempt, images=pictures)
    assert status == "stamping"
    stamped = finishing.job_stamp(attempt=attempt, images=pictures)
    assert services.job_cancel(job_id=job.id).status == "stamping"  # noted; the worker acts on it

    assert finishing.job_store(attempt=attempt, stamped=stamped, outputs=outputs) == "cancelled"
    job.refresh_from_db()
    assert (job.status, job.error_code) == ("cancelled", "cancelled")
    assert not Image.objects.filter(job=job).exists()
    assert all(not item.file.storage.exists(item.file.name) for item in stamped)


def test_a_cancel_after_the_last_model_step_skips_stamping(gated_job, pictures):
    from jobs import finishing, services

    job = gated_job()
    attempt = services.job_claim(job_id=job.id)
    services.job_cancel(job_id=job.id)
    _, status = finishing.job_gate_outputs(attempt=attempt, images=pictures)
    assert status == "cancelled"
