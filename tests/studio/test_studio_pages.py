"""Who can open which page: the public ones, the signed-in ones, the staff ones."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

PUBLIC = ["/", "/verify/", "/accounts/login/", "/signup/", "/accounts/password/reset/"]
SIGNED_IN = ["/create/", "/edit/", "/vary/", "/gallery/", "/account/"]
STAFF = ["/staff/", "/staff/accounts/", "/staff/audit/"]


@pytest.mark.parametrize("url", PUBLIC)
def test_public_pages_open_without_an_account(client, url):
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", SIGNED_IN + STAFF)
def test_signed_in_pages_send_visitors_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("url", SIGNED_IN)
def test_signed_in_pages_open_for_a_user(owner_client, url):
    response = owner_client.get(url)
    assert response.status_code == 200
    assert b"<label" in response.content or url == "/gallery/"


@pytest.mark.parametrize("url", STAFF)
def test_staff_pages_refuse_a_user_who_is_not_staff(owner_client, url):
    assert owner_client.get(url).status_code == 403


@pytest.mark.parametrize("url", STAFF)
def test_staff_pages_open_for_staff(client, staff, url):
    client.force_login(staff)
    assert client.get(url).status_code == 200


def test_a_post_without_the_csrf_token_is_refused(owner):
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    c.force_login(owner)
    response = c.post("/create/", {"prompt": "a fox", "n": 1, "size": 256})
    assert response.status_code == 403


def test_every_form_control_has_a_label(owner_client):
    """Each visible input, select and textarea on the create, edit and vary pages has a <label for=...>."""
    import re

    for url in ("/create/", "/edit/", "/vary/", "/account/"):
        html = owner_client.get(url).content.decode()
        ids = re.findall(r'<(?:input|select|textarea)(?![^>]*type="(?:hidden|submit|radio|checkbox)")[^>]*\bid="([^"]+)"', html)
        assert ids, url
        for control in ids:
            assert f'for="{control}"' in html, f"{url}: #{control} has no label"
