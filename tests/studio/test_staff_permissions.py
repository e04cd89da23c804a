"""Staff pages need the matching Django permission: `is_staff` alone opens none of them."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile

pytestmark = pytest.mark.django_db


@pytest.fixture
def bare_staff(make_user):
    return make_user("bare", is_staff=True)


def grant(user, codename: str):
    user.user_permissions.add(Permission.objects.get(codename=codename, content_type__app_label="trust"))
    return type(user).objects.get(pk=user.pk)  # drop the cached permissions


@pytest.fixture
def permanent_suspension(owner, staff):
    from trust.enforcement import suspension_create

    return suspension_create(user=owner, actor=staff, reason="Repeated abuse.", ends=None, permanent=True)


@pytest.fixture
def held_edit(owner, sample_png):
    from jobs.models import Job

    job = Job.objects.create(user=owner, kind="edit", prompt="a hat", status=Job.Status.HELD)
    job.upload.save("held.png", ContentFile(sample_png))
    return job


@pytest.mark.parametrize("url", ["/staff/", "/staff/accounts/", "/staff/audit/"])
def test_a_staff_user_without_permissions_gets_403_on_every_staff_page(client, bare_staff, url):
    client.force_login(bare_staff)
    assert client.get(url).status_code == 403


def test_a_staff_user_without_change_suspension_cannot_lift_a_permanent_suspension(
        client, bare_staff, owner, permanent_suspension):
    from trust.enforcement import active_suspension

    client.force_login(grant(bare_staff, "view_suspension"))
    response = client.post(f"/staff/accounts/{owner.pk}", {"action": "lift", "suspension": permanent_suspension.pk})
    assert response.status_code == 403
    assert active_suspension(owner) is not None


def test_a_staff_user_without_change_suspension_cannot_suspend(client, bare_staff, owner):
    from trust.enforcement import active_suspension

    client.force_login(bare_staff)
    assert client.post(f"/staff/accounts/{owner.pk}", {"action": "suspend", "days": "3"}).status_code == 403
    assert active_suspension(owner) is None


def test_change_suspension_lets_staff_lift_it(client, bare_staff, owner, permanent_suspension):
    from trust.enforcement import active_suspension

    client.force_login(grant(bare_staff, "change_suspension"))
    response = client.post(f"/staff/accounts/{owner.pk}", {"action": "lift", "suspension": permanent_suspension.pk})
    assert response.status_code == 302
    assert active_suspension(owner) is None


def test_a_reviewer_cannot_read_the_audit_log_without_view_auditentry(client, bare_staff):
    client.force_login(grant(bare_staff, "review_request"))
    assert client.get("/staff/").status_code == 200
    assert client.get("/staff/audit/").status_code == 403
    assert client.get("/staff/audit/?verify=1").status_code == 403


def test_an_upload_needs_view_upload(client, bare_staff, held_edit, sample_png):
    reviewer = grant(bare_staff, "review_request")
    client.force_login(reviewer)
    assert client.get(f"/staff/review/{held_edit.id}/upload").status_code == 403
    client.force_login(grant(reviewer, "view_upload"))
    response = client.get(f"/staff/review/{held_edit.id}/upload")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:4] == b"\x89PNG"


def test_a_staff_user_without_review_request_cannot_decide(client, bare_staff, held_edit):
    from jobs.models import Job

    client.force_login(bare_staff)
    assert client.post(f"/staff/review/{held_edit.id}", {"decision": "reject", "reason": "x"}).status_code == 403
    assert Job.objects.get(pk=held_edit.pk).status == Job.Status.HELD


def test_a_superuser_opens_every_staff_page(client, make_user):
    # What `make demo` creates for its `staff` user.
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    for url in ("/staff/", "/staff/accounts/", "/staff/audit/"):
        assert client.get(url).status_code == 200, url
