"""Sign-up, password reset and API keys on the account page."""
from __future__ import annotations

import re

import pytest
from django.core import mail

from accounts.models import ApiKey

pytestmark = pytest.mark.django_db


def test_signup_creates_the_account_and_signs_in(client, django_user_model):
    response = client.post("/signup/", {"username": "newcomer", "email": "n@example.com",
                                        "password1": "a-long-pass-phrase-7", "password2": "a-long-pass-phrase-7"})
    assert response.status_code == 302 and response["Location"] == "/create/"
    assert django_user_model.objects.filter(username="newcomer").exists()
    assert client.get("/account/").status_code == 200


def test_signup_with_mismatched_passwords_says_so_with_a_400(client, django_user_model):
    response = client.post("/signup/", {"username": "newcomer", "email": "n@example.com",
                                        "password1": "a-long-pass-phrase-7", "password2": "different-pass-8"})
    assert response.status_code == 400
    assert b"role=\"alert\"" in response.content
    assert not django_user_model.objects.filter(username="newcomer").exists()


def test_password_reset_mails_a_link_that_sets_a_new_password(client, owner, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client.post("/accounts/password/reset/", {"email": owner.email})
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]  # Django swaps the token for a session marker
    response = client.post(form_url, {"new_password1": "brand-new-phrase-42", "new_password2": "brand-new-phrase-42"})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("brand-new-phrase-42")


def test_creating_a_key_shows_the_raw_key_once(owner_client, owner):
    response = owner_client.post("/account/", {"name": "my app"}, follow=True)
    assert response.status_code == 200 and response.redirect_chain == [("/account/", 302)]
    raw = re.search(rb'id="raw-key"[^>]*value="([^"]+)"', response.content).group(1).decode()
    key = ApiKey.objects.get(user=owner)
    assert raw.startswith(key.prefix + ".") and key.is_valid(raw)
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    again = owner_client.get("/account/").content.decode()
    assert key.prefix in again and raw not in again


def test_a_revoked_key_stops_working_on_the_api(owner_client, owner, client):
    owner_client.post("/account/", {"name": "temp"})
    key = ApiKey.objects.get(user=owner)
    response = owner_client.post(f"/account/keys/{key.pk}/revoke")
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked


def test_a_stranger_cannot_revoke_someone_elses_key(stranger_client, owner):
    from accounts.services import api_key_create

    key, _raw = api_key_create(user=owner, name="mine")
    assert stranger_client.post(f"/account/keys/{key.pk}/revoke").status_code == 404
    key.refresh_from_db()
    assert not key.revoked


def test_revoking_needs_a_post(owner_client, owner):
    from accounts.services import api_key_create

    key, _raw = api_key_create(user=owner, name="mine")
    assert owner_client.get(f"/account/keys/{key.pk}/revoke").status_code == 405
