"""A cancel that arrives while the model runs stops it at its next step; the job ends cancelled."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_a_cancel_during_generation_stops_the_model_and_ends_the_job(gated_job, tiny_model_dir, signing_keys):
    from jobs import rendering, services

    job = gated_job()
    attempt = services.job_claim(job_id=job.id)
    cancelled = services.job_cancel(job_id=job.id)
    assert (cancelled.status, cancelled.cancel_requested) == ("running", True)  # the worker stops it
    rendering.run_batch([attempt])  # the first progress step sees the cancel
    job.refresh_from_db()
    assert (job.status, job.error_code, job.rendered) == ("cancelled", "cancelled", [])


def test_a_cancelled_run_ends_the_job_cancelled_without_images(gated_job, tiny_model_dir, signing_keys, monkeypatch):
    from jobs import services

    job = gated_job()
    real_claim = services.job_claim

    def claim_then_cancel(*, job_id):  # the user presses cancel just after the worker took the job
        attempt = real_claim(job_id=job_id)
        services.job_cancel(job_id=job_id)
        return attempt

    monkeypatch.setattr(services, "job_claim", claim_then_cancel)
    from jobs import rendering

    assert rendering.job_generate(job_id=job.id) == "cancelled"
    job.refresh_from_db()
    assert job.error_code == "cancelled"
    assert job.images.count() == 0
