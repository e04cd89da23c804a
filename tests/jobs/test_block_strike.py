"""A request the input gates block is counted against the account by the thin task, not by jobs' services."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db(transaction=True)
PROMPT = "explicit pornographic scene of two people"


def test_job_moderate_returns_the_blocking_decision_and_counts_no_strike_itself(owner):
    from jobs import services
    from jobs.models import Job
    from trust.models import Strike

    job = Job.objects.create(user=owner, kind="generation", prompt=PROMPT, n=1, size=256)
    moderated = services.job_moderate(job_id=job.id)
    assert moderated.status == "blocked"
    assert moderated.block.action == "block" and moderated.block.surface == "prompt"
    assert not Strike.objects.filter(user=owner).exists()


def test_the_moderation_task_records_the_strike_for_a_blocked_request(owner):
    from jobs import tasks
    from jobs.models import Job
    from trust.models import Strike

    job = Job.objects.create(user=owner, kind="generation", prompt=PROMPT, n=1, size=256)
    assert tasks.job_moderate.apply(args=[str(job.id)]).get() == "blocked"  # run in-process, no broker
    assert list(Strike.objects.filter(user=owner).values_list("job_id", flat=True)) == [job.id]
