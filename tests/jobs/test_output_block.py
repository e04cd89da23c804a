"""An output the image gate does not allow is withheld: the job ends blocked and nothing is stamped."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_a_face_painted_into_a_variation_blocks_the_job_at_the_output_gate(gated_job):
    from jobs import finishing, services
    from sample_images import sample_photo

    job = gated_job(kind="variation", prompt="")
    attempt = services.job_claim(job_id=job.id)
    outputs, status = finishing.job_gate_outputs(attempt=attempt, images=[sample_photo("astronaut")])
    assert status == "blocked"
    assert outputs[0].action != "allow"
    job.refresh_from_db()
    assert (job.error_code, job.error_param) == ("content_policy_violation", "output")
    assert job.decisions[-1]["surface"] == "output"
    assert job.images.count() == 0


def test_an_allowed_output_moves_the_job_on_to_stamping(gated_job, pictures):
    from jobs import finishing, services

    job = gated_job()
    attempt = services.job_claim(job_id=job.id)
    outputs, status = finishing.job_gate_outputs(attempt=attempt, images=pictures)
    assert [d.action for d in outputs] == ["allow"]
    assert status == "stamping"
    job.refresh_from_db()
    assert (job.progress_stage, job.progress_total) == ("stamping", 1)
