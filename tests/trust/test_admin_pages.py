"""The staff pages in the admin: the queue, the review page, approve/reject, suspensions, verification."""
from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from jobs.models import Job
from trust import enforcement
from trust.models import AuditEntry, Suspension
from trust_helpers import gate_decision

pytestmark = pytest.mark.django_db


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def held_with_upload(held_job, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    job = held_job(prompt="make this person look older")
    job.kind = "edit"
    job.upload.save(f"{job.pk}-image.png", ContentFile(png()), save=True)
    return job


def test_the_queue_lists_held_requests_for_reviewers(client, reviewer, held_job):
    job = held_job(prompt="a senator in a clown costume")
    client.force_login(reviewer)
    page = client.get(reverse("admin:trust_heldrequest_changelist"))
    assert page.status_code == 200
    assert b"a senator in a clown costume" in page.content
    assert reverse("admin:trust_heldrequest_review", args=[job.pk]).encode() in page.content


def test_the_review_page_shows_prompt_upload_decisions_and_history(client, reviewer, held_with_upload, owner):
    enforcement.record_block(user=owner, job=None, decision=gate_decision("hate"))
    client.force_login(reviewer)
    page = client.get(reverse("admin:trust_heldrequest_review", args=[held_with_upload.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "make this person look older" in body
    assert "public_figures=0.710" in body and "may depict a real person" in body
    assert "Strikes: 1" in body and "hate" in body
    upload_url = reverse("admin:trust_heldrequest_upload", args=[held_with_upload.pk, "image"])
    assert upload_url in body
    image = client.get(upload_url)
    assert image.status_code == 200 and b"".join(image.streaming_content) == png()


def test_approving_through_the_page_queues_the_job(client, reviewer, held_job):
    job = held_job()
    client.force_login(reviewer)
    response = client.post(reverse("admin:trust_heldrequest_review", args=[job.pk]),
                           {"decision": "approve", "note": "fine in context"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
    assert AuditEntry.objects.get(event="review.approved").data["note"] == "fine in context"


def test_rejecting_through_the_page_needs_a_reason_and_tells_the_user(client, reviewer, held_job):
    job = held_job()
    client.force_login(reviewer)
    url = reverse("admin:trust_heldrequest_review", args=[job.pk])
    page = client.post(url, {"decision": "reject", "reason": ""})
    assert page.status_code == 200 and b"Choose the reason" in page.content
    client.post(url, {"decision": "reject", "reason": "other", "reason_text": "No celebrity likenesses.", "note": "n"})
    job.refresh_from_db()
    assert (job.status, job.error_message) == (Job.Status.BLOCKED, "No celebrity likenesses.")


def test_a_late_reviewer_is_told_on_the_page(client, reviewer, make_reviewer, held_job):
    job = held_job()
    from trust.review import review_approve

    review_approve(job_id=job.pk, reviewer=make_reviewer("fast"), note="")
    client.force_login(reviewer)
    response = client.post(reverse("admin:trust_heldrequest_review", args=[job.pk]),
                           {"decision": "reject", "reason": "policy"}, follow=True)
    assert b"already approved by fast" in response.content
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED


def test_strangers_and_staff_without_the_permission_cannot_review(client, stranger, make_user, held_with_upload):
    url = reverse("admin:trust_heldrequest_review", args=[held_with_upload.pk])
    upload = reverse("admin:trust_heldrequest_upload", args=[held_with_upload.pk, "image"])
    client.force_login(stranger)
    assert client.get(url).status_code == 302  # the admin sends non-staff to its login
    assert client.get(upload).status_code == 302
    client.force_login(make_user("plainstaff", is_staff=True))
    assert client.get(url).status_code == 403
    assert client.post(url, {"decision": "approve"}).status_code == 403
    assert client.get(upload).status_code == 404
    held_with_upload.refresh_from_db()
    assert held_with_upload.status == Job.Status.HELD


def test_staff_lift_a_suspension_with_the_admin_action(admin_client, owner):
    suspension = enforcement.suspension_create(user=owner, actor="t", reason="Spam.", permanent=True)
    response = admin_client.post(reverse("admin:trust_suspension_changelist"),
                                 {"action": "lift", "_selected_action": [suspension.pk]})
    assert response.status_code == 302
    suspension.refresh_from_db()
    assert suspension.lifted and suspension.lifted_by == "admin"
    assert AuditEntry.objects.filter(event="enforcement.lifted", actor="admin").exists()


def test_staff_make_a_suspension_permanent_with_the_admin_action(admin_client, owner):
    from django.utils import timezone

    suspension = enforcement.suspension_create(user=owner, actor="t", reason="Spam.",
                                               ends=timezone.now() + timezone.timedelta(days=1))
    admin_client.post(reverse("admin:trust_suspension_changelist"),
                      {"action": "make_permanent", "_selected_action": [suspension.pk]})
    assert Suspension.objects.get(pk=suspension.pk).permanent


def test_audit_entries_are_read_only_in_the_admin(admin_client):
    from trust.audit import audit_event

    entry = audit_event("test.one")
    assert admin_client.get(reverse("admin:trust_auditentry_changelist")).status_code == 200
    assert admin_client.post(reverse("admin:trust_auditentry_delete", args=[entry.pk])).status_code == 403


def test_the_verify_page_reports_an_intact_log(admin_client):
    from trust.audit import audit_event

    audit_event("test.one")
    page = admin_client.get(reverse("admin:trust_auditentry_verify"))
    assert page.status_code == 200 and b'data-ok="true"' in page.content
