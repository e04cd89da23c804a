"""Reviewers approve or reject held requests; exactly one of two racing reviewers wins; stale ones expire."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from jobs.models import Job
from trust import review, selectors
from trust.models import AuditEntry
from trust_helpers import gate_decision

pytestmark = pytest.mark.django_db


def test_the_queue_holds_only_held_requests_oldest_first(held_job, owner):
    first = held_job()
    second = held_job(prompt="another")
    Job.objects.create(user=owner, kind="generation", prompt="done", status=Job.Status.SUCCEEDED)
    Job.objects.filter(pk=first.pk).update(created=timezone.now() - dt.timedelta(hours=1))
    assert [j.pk for j in selectors.review_queue()] == [first.pk, second.pk]


def test_approve_queues_the_job_and_audits_the_note(held_job, reviewer, django_capture_on_commit_callbacks):
    job = held_job()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        review.review_approve(job_id=job.pk, reviewer=reviewer, note="satire, fine")
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and job.error_code == ""
    assert len(callbacks) == 1  # the generation task is sent once the approval commits
    entry = AuditEntry.objects.get(event="review.approved", subject=f"job:{job.pk}")
    assert (entry.actor, entry.data["note"]) == ("reviewer", "satire, fine")


def test_reject_tells_the_user_the_chosen_reason(held_job, reviewer):
    job = held_job()
    review.review_reject(job_id=job.pk, reviewer=reviewer, reason="real_person", note="looks like a real MP")
    job.refresh_from_db()
    assert (job.status, job.error_code) == (Job.Status.BLOCKED, "rejected_in_review")
    assert job.error_message == review.REJECT_REASONS["real_person"]
    entry = AuditEntry.objects.get(event="review.rejected")
    assert entry.data == {"reason": review.REJECT_REASONS["real_person"], "note": "looks like a real MP"}


def test_a_reviewers_own_words_can_be_the_reason(held_job, reviewer):
    job = held_job()
    review.review_reject(job_id=job.pk, reviewer=reviewer, reason="Please do not upload ID documents.")
    job.refresh_from_db()
    assert job.error_message == "Please do not upload ID documents."


def test_reject_needs_a_reason(held_job, reviewer):
    with pytest.raises(ValueError):
        review.review_reject(job_id=held_job().pk, reviewer=reviewer, reason="  ")


def test_the_second_reviewer_is_told_who_won(held_job, reviewer, make_reviewer):
    job = held_job()
    other = make_reviewer("other")
    review.review_approve(job_id=job.pk, reviewer=reviewer)
    with pytest.raises(review.ReviewConflict, match="already approved by reviewer"):
        review.review_reject(job_id=job.pk, reviewer=other, reason="policy")


def test_only_staff_with_the_review_permission_can_review(held_job, stranger, make_user):
    job = held_job()
    staff_without_permission = make_user("plainstaff", is_staff=True)
    for user in (stranger, staff_without_permission):
        with pytest.raises(PermissionDenied):
            review.review_approve(job_id=job.pk, reviewer=user)
    job.refresh_from_db()
    assert job.status == Job.Status.HELD


def test_a_reviewer_cannot_approve_their_own_request(held_job, reviewer):
    with pytest.raises(PermissionDenied):
        review.review_approve(job_id=held_job(user=reviewer).pk, reviewer=reviewer)


def test_a_suspended_users_request_cannot_be_approved(held_job, owner, reviewer):
    from trust.enforcement import suspension_create

    job = held_job()
    suspension_create(user=owner, actor=reviewer, reason="Spam.", permanent=True)
    with pytest.raises(review.ReviewConflict, match="suspended"):
        review.review_approve(job_id=job.pk, reviewer=reviewer)


def test_requests_held_too_long_expire_with_a_clear_reason(held_job, settings):
    settings.HALLMARK = {**settings.HALLMARK, "HELD_EXPIRY_S": 3600}
    stale, fresh = held_job(), held_job()
    Job.objects.filter(pk=stale.pk).update(updated=timezone.now() - dt.timedelta(hours=2))
    assert review.held_expire() == [str(stale.pk)]
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert (stale.status, stale.error_code) == (Job.Status.BLOCKED, "review_expired")
    assert "within 1 hours" in stale.error_message and "send it again" in stale.error_message
    assert fresh.status == Job.Status.HELD
    assert AuditEntry.objects.get(event="review.rejected", subject=f"job:{stale.pk}").actor == "system"


def test_user_history_shows_outcomes_and_strikes(held_job, owner):
    from trust.enforcement import record_block

    held_job()
    record_block(user=owner, job=None, decision=gate_decision("hate"))
    history = selectors.user_history(owner)
    assert history.job_counts == {"held": 1}
    assert [s.category for s in history.strikes] == ["hate"]


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_at_once_exactly_one_wins(held_job, make_reviewer):
    alice, bob = make_reviewer("alice"), make_reviewer("bob")
    outcomes = {}
    for round_ in range(5):
        job = held_job(prompt=f"race {round_}")
        barrier = threading.Barrier(2)

        def act(name, call):
            barrier.wait()
            try:
                call()
                outcomes[(round_, name)] = "won"
            except review.ReviewConflict as exc:
                outcomes[(round_, name)] = str(exc)
            finally:
                connection.close()

        threads = [
            threading.Thread(target=act, args=("alice", lambda: review.review_approve(job_id=job.pk, reviewer=alice))),
            threading.Thread(target=act, args=("bob", lambda: review.review_reject(job_id=job.pk, reviewer=bob,
                                                                                   reason="policy"))),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        results = [outcomes[(round_, "alice")], outcomes[(round_, "bob")]]
        assert results.count("won") == 1, results
        loser = next(r for r in results if r != "won")
        assert "already" in loser
        assert AuditEntry.objects.filter(subject=f"job:{job.pk}", event__startswith="review.").count() == 1
