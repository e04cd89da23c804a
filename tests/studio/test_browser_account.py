"""The account page: a new API key is shown once and works with the API; revoking it stops it."""
from __future__ import annotations

import pytest
import requests

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_key_is_shown_once_works_and_can_be_revoked(live_server, owner, page, log_in, shot):
    log_in(page, "owner")
    page.get_by_role("link", name="Account").click()
    page.get_by_label("Key name").fill("my script")
    page.get_by_role("button", name="Create a key").click()
    raw = page.get_by_label("New API key").input_value()
    models = requests.get(live_server.url + "/v1/models", headers={"Authorization": f"Bearer {raw}"}, timeout=30)
    assert models.status_code == 200
    row = page.locator("table.keys tbody tr", has_text="my script")
    assert "active" in row.inner_text()
    shot(page, "account-keys")

    page.reload()  # a GET: the raw key is gone for good
    assert page.get_by_label("New API key").count() == 0 and raw not in page.content()
    page.get_by_role("button", name="Revoke key my script").click()
    assert "is revoked" in page.locator(".messages").inner_text()
    assert "revoked" in page.locator("table.keys tbody tr", has_text="my script").inner_text()
    after = requests.get(live_server.url + "/v1/models", headers={"Authorization": f"Bearer {raw}"}, timeout=30)
    assert after.status_code == 401 and "revoked" in after.json()["error"]["message"]
