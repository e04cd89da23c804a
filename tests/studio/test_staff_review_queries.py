"""The review queue reads each account's history once, however many of its requests wait."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

DECISION = {"surface": "prompt", "action": "review", "categories": ["public-figure"], "scores": {}, "rule": "test",
            "reason": "held in a test", "policy_version": "test"}


def _held(user, count: int):
    from jobs.models import Job

    for index in range(count):
        Job.objects.create(user=user, kind="generation", prompt=f"a senator, take {index}", status=Job.Status.HELD,
                           decisions=[DECISION], error_code="held_for_review")


def test_more_held_requests_of_one_account_cost_no_more_queries(client, staff, owner):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(staff)
    _held(owner, 1)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/staff/").status_code == 200
    _held(owner, 9)
    with CaptureQueriesContext(connection) as ten:
        assert client.get("/staff/").status_code == 200
    assert len(ten.captured_queries) == len(one.captured_queries)
