"""Fixtures for the studio: users, signed-in clients, and headless Chromium driven by Playwright."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django would otherwise
# refuse the ORM calls the tests make between browser steps.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
PASSWORD = "correct-horse-battery-9"


@pytest.fixture
def make_user(django_user_model):
    def make(username: str, **extra):
        return django_user_model.objects.create_user(username=username, password=PASSWORD,
                                                     email=f"{username}@example.com", **extra)

    return make


@pytest.fixture
def owner(make_user):
    return make_user("owner")


@pytest.fixture
def stranger(make_user):
    return make_user("stranger")


@pytest.fixture
def staff(make_user):
    from django.contrib.auth.models import Permission

    user = make_user("reviewer", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="review_request", content_type__app_label="trust"))
    return user


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def stranger_client(owner, stranger):
    from django.test import Client

    c = Client()
    c.force_login(stranger)
    return c


@pytest.fixture
def sample_png() -> bytes:
    from studio_samples import encode, sample_photo

    return encode(sample_photo("coffee"))


# --- the browser ---------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/browser.sh (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.set_default_timeout(20_000)
    p = context.new_page()
    yield p
    context.close()


@pytest.fixture
def shot():
    """Save a screenshot under docs/screenshots/ when HALLMARK_SCREENSHOTS is set (make screenshots)."""

    def take(page, name: str) -> None:
        if os.environ.get("HALLMARK_SCREENSHOTS"):
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take


@pytest.fixture
def log_in(live_server):
    def do(page, username: str, password: str = PASSWORD) -> None:
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(live_server.url + "/create/")

    return do
