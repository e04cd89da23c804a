"""A reviewer's standard reason is stored by key and shown in the reader's language; old rows get their key."""
from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.utils import translation

from jobs.models import Job
from studio import reasons
from trust import review

pytestmark = pytest.mark.django_db


def test_a_standard_reason_is_stored_by_key_and_read_in_chinese(held_job, reviewer):
    job = held_job()
    review.review_reject(job_id=job.pk, reviewer=reviewer, reason="real_person")
    job.refresh_from_db()
    assert job.review_reason == "real_person"
    assert job.error_message == review.REJECT_REASONS["real_person"]  # the API's English text
    with translation.override("zh-hans"):
        assert reasons.refusal(job)["reviewer_note"] == "该请求以政策不允许的方式描绘可识别的真实人物。"
    with translation.override("en"):
        assert reasons.refusal(job)["reviewer_note"] == job.error_message


def test_a_reviewers_own_words_keep_no_key_and_are_shown_as_written(held_job, reviewer):
    job = held_job()
    review.review_reject(job_id=job.pk, reviewer=reviewer, reason="Please do not upload ID documents.")
    job.refresh_from_db()
    assert job.review_reason == ""
    with translation.override("zh-hans"):
        assert reasons.refusal(job)["reviewer_note"] == "Please do not upload ID documents."


def test_the_migration_gives_old_rejections_their_key(held_job):
    migration = importlib.import_module("jobs.migrations.0005_job_review_reason_key")
    standard = held_job()
    own_words = held_job(prompt="another")
    Job.objects.filter(pk=standard.pk).update(status=Job.Status.BLOCKED, error_code="rejected_in_review",
                                              error_message=migration.REJECT_REASONS["hate"])
    Job.objects.filter(pk=own_words.pk).update(status=Job.Status.BLOCKED, error_code="rejected_in_review",
                                               error_message="Not this one.")
    migration.keys_from_texts(apps, None)
    assert Job.objects.get(pk=standard.pk).review_reason == "hate"
    assert Job.objects.get(pk=own_words.pk).review_reason == ""
    assert migration.REJECT_REASONS == review.REJECT_REASONS  # frozen, and still what the service uses
