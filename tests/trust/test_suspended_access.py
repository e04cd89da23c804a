"""A suspended account's API keys and web session get 403 with the message and the end; others pass."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from trust import enforcement

pytestmark = pytest.mark.django_db


@pytest.fixture
def suspended(owner):
    return enforcement.suspension_create(user=owner, actor="test", reason="Too many blocked requests.",
                                         ends=timezone.now() + dt.timedelta(days=2))


def test_every_api_key_of_a_suspended_account_gets_403_with_the_end(client, owner, make_key, suspended):
    keys = [make_key(owner, name="one"), make_key(owner, name="two")]
    for key in keys:
        for method, url in (("post", "/v1/images/generations"), ("get", "/v1/jobs"), ("get", "/v1/models")):
            response = getattr(client, method)(url, {"prompt": "a fox"} if method == "post" else None,
                                               content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
            assert response.status_code == 403, (url, response.content)
            error = response.json()["error"]
            assert error["code"] == "account_suspended"
            assert error["suspended_until"] == suspended.ends.isoformat()
            assert "Too many blocked requests." in error["message"] and "until" in error["message"]


def test_a_suspended_web_session_cannot_post_anything(client, owner, suspended):
    client.force_login(owner)
    response = client.post("/v1/images/generations", {"prompt": "a fox"}, content_type="application/json")
    assert response.status_code == 403 and response.json()["error"]["code"] == "account_suspended"
    page = client.post("/", {"prompt": "a fox"})
    assert page.status_code == 403
    assert b"suspended until" in page.content


def test_a_suspended_user_can_still_choose_a_language(client, owner, suspended):
    client.force_login(owner)
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/gallery/"})
    assert response.status_code == 302
    assert client.cookies["django_language"].value == "zh-hans"


def test_nothing_a_suspended_account_sends_becomes_a_job(client, owner, make_key, suspended):
    from jobs.models import Job

    key = make_key(owner)
    client.post("/v1/images/generations", {"prompt": "a fox"}, content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {key}")
    client.force_login(owner)
    client.post("/v1/jobs", {"prompt": "a fox"}, content_type="application/json")
    assert not Job.objects.filter(user=owner).exists()


def test_a_lifted_suspension_lets_the_keys_in_again(client, owner, make_key, suspended):
    key = make_key(owner)
    enforcement.suspension_lift(suspension_id=suspended.pk, actor="test")
    response = client.get("/v1/models", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200


def test_the_strangers_key_is_unaffected(client, stranger, make_key, suspended):
    response = client.get("/v1/models", HTTP_AUTHORIZATION=f"Bearer {make_key(stranger)}")
    assert response.status_code == 200


def test_a_stray_authorization_header_does_not_let_a_suspended_session_through(client, owner, suspended):
    from accounts.models import ApiKey

    client.force_login(owner)
    # The session is what signs this request in; a header that is no valid key must not waive its check.
    response = client.post("/account/", {"name": "sneaky"}, HTTP_AUTHORIZATION="Basic c3RyYXk6aGVhZGVy")
    assert response.status_code == 403 and b"suspended until" in response.content
    assert not ApiKey.objects.filter(user=owner, name="sneaky").exists()
