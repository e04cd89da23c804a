"""A second delivery waits while the first worker's lease lives, and takes the job over once it lapses."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_a_claim_on_a_job_with_a_live_lease_is_refused_as_busy(gated_job):
    from jobs import services

    job = gated_job()
    first = services.job_claim(job_id=job.id)
    assert first.number == 1
    with pytest.raises(services.JobBusy):
        services.job_claim(job_id=job.id)
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("running", 1)


def test_a_claim_after_the_lease_lapsed_takes_the_job_as_a_new_attempt(gated_job, lapse):
    from jobs import services

    job = gated_job()
    services.job_claim(job_id=job.id)
    lapse(job)
    second = services.job_claim(job_id=job.id)
    assert second.number == 2
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("running", 2)
    assert job.lease_until is not None


def test_a_job_whose_gates_never_ran_is_not_claimed(gated_job):
    from jobs import services

    job = gated_job(decisions=[])
    assert services.job_claim(job_id=job.id) == "queued"
    job.refresh_from_db()
    assert job.attempts == 0


def test_a_job_that_used_up_its_attempts_fails_instead_of_running_again(gated_job, settings):
    from jobs import services

    job = gated_job(attempts=settings.HALLMARK["MAX_ATTEMPTS"])
    assert services.job_claim(job_id=job.id) == "failed"
    job.refresh_from_db()
    assert job.error_code == "attempts_exhausted"
