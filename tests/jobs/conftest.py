"""Fixtures for the job's steps, run directly on the real database without a broker."""
from __future__ import annotations

import datetime as dt

import pytest

ALLOWED = {"surface": "prompt", "action": "allow", "categories": [], "scores": {}, "rule": "test",
           "reason": "", "policy_version": "test"}


@pytest.fixture
def gated_job(owner):
    """Return a maker of jobs whose input gates passed (queued for a GPU, as job_moderate leaves them)."""
    from jobs.models import Job

    def make(**extra):
        fields = {"kind": "generation", "prompt": "a lighthouse at dawn", "n": 1, "size": 256,
                  "decisions": [ALLOWED], **extra}
        return Job.objects.create(user=owner, **fields)

    return make


@pytest.fixture
def lapse():
    """Return a function that lets a job's lease run out, as if its worker had died."""
    def run_out(job):
        from django.utils import timezone

        from jobs.models import Job

        Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))

    return run_out


@pytest.fixture
def pictures():
    """Outputs the image gate allows (a photo of a cat), as the model step would hand them on."""
    from sample_images import sample_photo

    return [sample_photo("chelsea")]
