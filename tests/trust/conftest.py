"""Fixtures for trust tests: an owner, a stranger, a reviewer, and held jobs."""
from __future__ import annotations

import pytest


@pytest.fixture
def make_reviewer(make_user):
    def make(username: str = "reviewer"):
        from django.contrib.auth.models import Permission

        user = make_user(username, is_staff=True)
        user.user_permissions.add(Permission.objects.get(codename="review_request"))
        return type(user).objects.get(pk=user.pk)  # drop the cached permissions

    return make


@pytest.fixture
def reviewer(make_reviewer):
    return make_reviewer("reviewer")


@pytest.fixture
def held_job(owner):
    """A job the gates held (as jobs.services.job_moderate leaves it), without running a gate."""
    from jobs.models import Job

    def make(user=None, prompt: str = "a portrait of a politician shaking hands", **extra):
        decision = {"surface": "prompt", "action": "review", "categories": ["public_figures"],
                    "scores": {"public_figures": 0.71}, "rule": "test", "reason": "may depict a real person",
                    "policy_version": "test"}
        return Job.objects.create(user=user or owner, kind="generation", prompt=prompt, n=1, size=256,
                                  status=Job.Status.HELD, decisions=[decision], error_code="held_for_review",
                                  error_message=decision["reason"], **extra)

    return make
