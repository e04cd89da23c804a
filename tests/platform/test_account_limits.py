"""Limits are the account's, not the key's: a second key, or the browser session, shares the quota; keys are capped."""
from __future__ import annotations

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

@pytest.fixture(autouse=True)
def _fresh_counters():
    """Start from zero: a past run's counters (same user ids in a fresh test database) would count."""
    from django.core.cache import cache

    cache.clear()


JOB = {"kind": "generation", "prompt": "a teapot on a table", "n": 1, "size": "256x256"}


@pytest.fixture
def quota_of_one(settings):
    settings.HALLMARK = {**settings.HALLMARK, "DAILY_IMAGE_QUOTA": 1}


def bearer(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_a_second_key_does_not_reset_the_quota(quota_of_one, owner, make_key):
    first, second = make_key(owner, name="first"), make_key(owner, name="second")
    assert bearer(first).post("/v1/jobs", JOB, format="json").status_code == 202
    response = bearer(second).post("/v1/jobs", JOB, format="json")
    assert response.status_code == 429, response.content
    assert response.json()["error"]["code"] == "quota_exceeded"
    assert int(response["Retry-After"]) > 0


def test_the_browser_session_shares_the_quota_of_the_keys(quota_of_one, owner, make_key):
    assert bearer(make_key(owner)).post("/v1/jobs", JOB, format="json").status_code == 202
    session = APIClient(enforce_csrf_checks=False)
    session.force_login(owner)
    assert session.post("/v1/jobs", JOB, format="json").status_code == 429


def test_another_account_keeps_its_own_quota(quota_of_one, owner, stranger, make_key):
    assert bearer(make_key(owner)).post("/v1/jobs", JOB, format="json").status_code == 202
    assert bearer(make_key(stranger)).post("/v1/jobs", JOB, format="json").status_code == 202


def test_an_account_cannot_hold_more_keys_than_the_cap(settings, client, owner, make_key):
    from accounts.models import ApiKey

    settings.HALLMARK = {**settings.HALLMARK, "MAX_API_KEYS_PER_ACCOUNT": 2}
    make_key(owner, name="one")
    make_key(owner, name="two")
    client.force_login(owner)
    response = client.post("/account/", {"name": "three"})
    assert response.status_code == 400
    assert b"revoke one first" in response.content
    assert ApiKey.objects.filter(user=owner).count() == 2


def test_a_revoked_key_frees_its_place_under_the_cap(settings, client, owner, make_key):
    from accounts.models import ApiKey
    from accounts.services import api_key_revoke

    settings.HALLMARK = {**settings.HALLMARK, "MAX_API_KEYS_PER_ACCOUNT": 1}
    make_key(owner, name="old")
    api_key_revoke(key=ApiKey.objects.get(user=owner))
    client.force_login(owner)
    assert client.post("/account/", {"name": "new"}).status_code == 302
    assert ApiKey.objects.filter(user=owner, revoked=False).count() == 1
