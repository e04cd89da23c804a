"""Fixtures for the studio: users, signed-in clients, and headless Chromium driven by Playwright."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from people import PASSWORD

# Playwright's sync API runs an event loop in this thread; Django would otherwise
# refuse the ORM calls the tests make between browser steps.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


# Every staff page's permission (studio.views.decorators): this reviewer may do all of it.
STAFF_PERMISSIONS = ["review_request", "view_upload", "view_suspension", "change_suspension", "view_auditentry"]


@pytest.fixture
def staff(make_user):
    from django.contrib.auth.models import Permission

    user = make_user("reviewer", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=STAFF_PERMISSIONS, content_type__app_label="trust"))
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
    from sample_images import encode, sample_photo

    return encode(sample_photo("coffee"))


# --- the browser ---------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/system-packages.sh (apt-get install chromium)")
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


# --- the real pipeline -------------------------------------------------------------

@pytest.fixture(scope="session")
def studio_workers(request):
    """A real `safety` worker and a real `gpu` worker on the test database.

    In the full suite this is the shared ``workers`` pair. When this directory runs
    against a broker of its own (CELERY_BROKER_URL set by hand, while others use the
    default one), it starts its own pair instead, because ``workers`` flushes the
    default Redis databases other test runs are using."""
    if os.environ["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/2":
        return request.getfixturevalue("workers")
    import redis

    for url in (os.environ["CELERY_BROKER_URL"], os.environ["CACHE_URL"].replace("rediscache://", "redis://")):
        redis.Redis.from_url(url).flushdb()
    start = request.getfixturevalue("start_worker")
    return [start("studio-safety", "safety", "threads", 2), start("studio-gpu", "gpu", "solo", 1)]


@pytest.fixture
def wait_job():
    """Return a function that waits (in the test thread) until a job ends or is held."""
    import time

    from jobs.models import Job

    def wait(job_id, timeout: float = 240, until=Job.TERMINAL + (Job.Status.HELD,)) -> Job:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = Job.objects.get(pk=job_id)
            if job.status in until:
                return job
            time.sleep(0.2)
        raise TimeoutError(f"job {job_id} still {job.status}")

    return wait


@pytest.fixture
def record_status(page):
    """Record every text the job page's live status and stage show, across the final reload."""
    page.add_init_script("""
      document.addEventListener("DOMContentLoaded", () => {
        const seen = JSON.parse(sessionStorage.getItem("seen") || "[]");
        const note = () => {
          for (const id of ["job-status", "job-stage"]) {
            const el = document.getElementById(id);
            if (el) { seen.push(id + ":" + el.textContent.trim()); }
          }
          sessionStorage.setItem("seen", JSON.stringify(seen));
        };
        note();
        new MutationObserver(note).observe(document.body, {subtree: true, childList: true, characterData: true});
      });
    """)

    def seen() -> list[str]:
        import json

        return json.loads(page.evaluate("sessionStorage.getItem('seen') || '[]'"))

    return seen
