"""Strikes become suspensions per the policy file; staff lift them or make them permanent; all audited."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jobs.errors import openai_error
from trust import enforcement
from trust.models import AuditEntry, Strike, Suspension
from trust.policy import EnforcementPolicy, PolicyError
from trust_helpers import gate_decision

pytestmark = pytest.mark.django_db


def block(user, *categories, tier="rule"):
    return enforcement.record_block(user=user, job=None,
                                    decision=gate_decision(*categories, evidence={c: tier for c in categories}))


def test_a_fail_closed_block_adds_no_strike(owner):
    decision = gate_decision(rule="fail-closed", tier="fail-closed")
    for _ in range(5):
        assert enforcement.record_block(user=owner, job=None, decision=decision) is None
    assert not Strike.objects.filter(user=owner).exists()
    assert enforcement.active_suspension(owner) is None


def test_a_learned_only_severe_block_strikes_but_does_not_suspend(owner):
    assert block(owner, "sexual/minors", tier="learned") is None
    assert Strike.objects.filter(user=owner).count() == 1
    assert enforcement.active_suspension(owner) is None


def test_a_rule_tier_severe_block_suspends_and_records_its_decision(owner):
    suspension = block(owner, "sexual", "sexual/minors")
    assert suspension is not None and suspension.permanent
    assert suspension.causes[0]["decision"]["categories"] == ["sexual", "sexual/minors"]


def test_each_block_adds_a_strike_with_its_category(owner):
    assert block(owner, "violence/graphic") is None
    assert list(Strike.objects.filter(user=owner).values_list("category", flat=True)) == ["violence/graphic"]
    assert AuditEntry.objects.filter(event="enforcement.strike", subject=f"user:{owner.pk}").count() == 1


def test_the_third_strike_in_the_window_suspends_for_the_policy_period(owner):
    assert block(owner, "violence") is None
    assert block(owner, "hate") is None
    suspension = block(owner, "sexual")
    assert suspension is not None and not suspension.permanent
    assert dt.timedelta(hours=167) < suspension.ends - timezone.now() <= dt.timedelta(hours=168)
    assert enforcement.active_suspension(owner) == suspension
    assert "3 blocked requests within 24 hours" in suspension.reason
    assert AuditEntry.objects.filter(event="enforcement.suspended", subject=f"user:{owner.pk}").exists()


def test_strikes_outside_the_window_do_not_count(owner):
    block(owner, "violence")
    block(owner, "hate")
    Strike.objects.filter(user=owner).update(created=timezone.now() - dt.timedelta(hours=25))
    assert block(owner, "sexual") is None
    assert enforcement.active_suspension(owner) is None


def test_a_severe_category_suspends_at_once_and_permanently(owner):
    suspension = block(owner, "violence", "sexual/minors")
    assert suspension.permanent and suspension.ends is None
    assert Strike.objects.get(user=owner).category == "sexual/minors"
    assert "permanently" in enforcement.suspension_message(suspension)


def test_a_suspended_account_gets_a_403_that_says_until_when(owner):
    for category in ("a", "b", "c"):
        block(owner, category)
    with pytest.raises(enforcement.AccountSuspended) as info:
        enforcement.assert_account_active(owner)
    err = info.value
    assert (openai_error(err)[0], err.code) == (403, "account_suspended")
    assert err.extra["suspended_until"] and "until" in err.message


def test_a_stranger_is_not_touched_by_the_owners_suspension(owner, stranger):
    block(owner, "sexual/minors")
    enforcement.assert_account_active(stranger)


def test_staff_can_lift_a_suspension_once(owner, reviewer):
    suspension = block(owner, "sexual/minors")
    enforcement.suspension_lift(suspension_id=suspension.pk, actor=reviewer, note="appeal accepted")
    assert enforcement.active_suspension(owner) is None
    with pytest.raises(enforcement.SuspensionConflict):
        enforcement.suspension_lift(suspension_id=suspension.pk, actor=reviewer)
    entry = AuditEntry.objects.get(event="enforcement.lifted")
    assert (entry.actor, entry.data["note"]) == ("reviewer", "appeal accepted")


def test_staff_can_make_a_suspension_permanent(owner, reviewer):
    for category in ("a", "b", "c"):
        suspension = block(owner, category)
    enforcement.suspension_make_permanent(suspension_id=suspension.pk, actor=reviewer, note="repeat offender")
    suspension.refresh_from_db()
    assert suspension.permanent and suspension.ends is None
    assert AuditEntry.objects.filter(event="enforcement.made_permanent", actor="reviewer").exists()
    with pytest.raises(enforcement.SuspensionConflict):
        enforcement.suspension_make_permanent(suspension_id=suspension.pk, actor=reviewer)


def test_an_ended_suspension_cannot_be_revived_as_permanent(owner, reviewer):
    suspension = Suspension.objects.create(user=owner, reason="old", ends=timezone.now() - dt.timedelta(days=1))
    assert enforcement.active_suspension(owner) is None
    with pytest.raises(enforcement.SuspensionConflict):
        enforcement.suspension_make_permanent(suspension_id=suspension.pk, actor=reviewer)


def test_staff_can_suspend_by_hand_with_a_reason(owner, reviewer):
    with pytest.raises(ValueError):
        enforcement.suspension_create(user=owner, actor=reviewer, reason=" ", permanent=True)
    suspension = enforcement.suspension_create(user=owner, actor=reviewer, reason="Spam.",
                                               ends=timezone.now() + dt.timedelta(hours=1))
    assert enforcement.active_suspension(owner) == suspension


def test_the_policy_file_is_validated_naming_the_key(tmp_path):
    bad = tmp_path / "p.yaml"
    bad.write_text("version: x\nsevere_categories: []\nstrikes_to_suspend: 0\nwindow_hours: 1\n"
                   "suspension_hours: 1\nsevere_suspension_hours: 0\n")
    with pytest.raises(PolicyError, match="strikes_to_suspend"):
        EnforcementPolicy.load(bad)
    bad.write_text("version: x\nsevere: []\n")
    with pytest.raises(PolicyError, match="unknown key"):
        EnforcementPolicy.load(bad)


def test_a_custom_policy_file_changes_the_thresholds(owner, tmp_path, settings):
    from trust import policy

    path = tmp_path / "strict.yaml"
    path.write_text("version: strict-1\nsevere_categories: [violence/graphic]\nstrikes_to_suspend: 1\n"
                    "window_hours: 1\nsuspension_hours: 2\nsevere_suspension_hours: 48\n")
    settings.HALLMARK = {**settings.HALLMARK, "ENFORCEMENT_POLICY": str(path)}
    suspension = block(owner, "violence/graphic")
    assert not suspension.permanent
    assert dt.timedelta(hours=47) < suspension.ends - timezone.now() <= dt.timedelta(hours=48)
    assert policy.enforcement_policy().version == "strict-1"


@pytest.mark.django_db(transaction=True)
def test_blocks_arriving_at_once_suspend_exactly_once(owner):
    import threading

    from django.db import connection

    block(owner, "violence")
    barrier = threading.Barrier(4)

    def hit():
        barrier.wait()
        try:
            block(owner, "hate")
        finally:
            connection.close()

    threads = [threading.Thread(target=hit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert Strike.objects.filter(user=owner).count() == 5
    assert Suspension.objects.filter(user=owner).count() == 1


def test_a_suspension_stops_the_accounts_pending_jobs_once_committed(owner, stranger, held_job,
                                                                      django_capture_on_commit_callbacks):
    from jobs.models import Job

    held = held_job()
    queued = Job.objects.create(user=owner, kind="generation", prompt="a fox", status=Job.Status.QUEUED,
                                decisions=[{"action": "allow"}])
    running = Job.objects.create(user=owner, kind="generation", prompt="a cat", status=Job.Status.RUNNING)
    done = Job.objects.create(user=owner, kind="generation", prompt="a dog", status=Job.Status.SUCCEEDED)
    other = Job.objects.create(user=stranger, kind="generation", prompt="a cow", status=Job.Status.QUEUED)
    with django_capture_on_commit_callbacks(execute=True):
        block(owner, "sexual/minors")
    for job in (held, queued, running, done, other):
        job.refresh_from_db()
    assert (held.status, held.error_code) == (Job.Status.BLOCKED, "account_suspended")
    assert (queued.status, queued.error_code) == (Job.Status.CANCELLED, "account_suspended")
    assert "suspended permanently" in queued.error_message
    assert running.cancel_requested and running.status == Job.Status.RUNNING  # stops at its next step
    assert done.status == Job.Status.SUCCEEDED and other.status == Job.Status.QUEUED
