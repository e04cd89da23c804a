"""A worker that lost its lease changes nothing: the winner's result is the one stored."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_a_worker_that_lost_its_lease_neither_moves_nor_blocks_the_job(gated_job, lapse, pictures, signing_keys):
    from jobs import finishing, services

    job = gated_job()
    loser = services.job_claim(job_id=job.id)
    lapse(job)
    services.job_claim(job_id=job.id)  # the winner: attempt 2, still running its model
    outputs, status = finishing.job_gate_outputs(attempt=loser, images=pictures)
    assert status == "running"
    job.refresh_from_db()
    assert (job.status, job.attempts, job.progress_stage) == ("running", 2, "starting")


def test_a_worker_that_lost_its_lease_while_stamping_deletes_its_files(gated_job, lapse, pictures, signing_keys,
                                                                        tiny_model_dir):
    from jobs import finishing, services
    from jobs.models import Image

    job = gated_job()
    loser = services.job_claim(job_id=job.id)
    outputs, status = finishing.job_gate_outputs(attempt=loser, images=pictures)
    assert status == "stamping"
    stamped = finishing.job_stamp(attempt=loser, images=pictures)
    lapse(job)
    winner = services.job_claim(job_id=job.id)
    _, status = finishing.job_gate_outputs(attempt=winner, images=pictures)
    assert status == "stamping"

    assert finishing.job_store(attempt=loser, stamped=stamped, outputs=outputs) == "stamping"
    assert all(not item.file.storage.exists(item.file.name) for item in stamped)
    assert not Image.objects.filter(job=job).exists()

    kept = finishing.job_stamp(attempt=winner, images=pictures)
    assert finishing.job_store(attempt=winner, stamped=kept, outputs=outputs) == "succeeded"
    assert list(Image.objects.filter(job=job).values_list("record_id", flat=True)) == [kept[0].record_id]
