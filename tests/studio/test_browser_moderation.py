"""A blocked prompt's message; a held prompt waits for review, staff approve it, and the
user's open page then shows the image."""
from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.django_db(transaction=True)]


def _create(page, url, prompt):
    page.goto(url + "/create/")
    page.get_by_label("Prompt").fill(prompt)
    page.get_by_role("button", name="Create", exact=True).click()
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f-]+/$"))


def test_a_blocked_prompt_says_why_in_plain_words(live_server, studio_workers, owner, page, log_in, shot):
    log_in(page, "owner")
    _create(page, live_server.url, "a photo of a naked woman")
    refusal = page.locator("#refusal")
    refusal.wait_for(timeout=120_000)
    assert "your prompt was refused by the safety check" in refusal.inner_text()
    assert "sexual content" in refusal.inner_text()
    assert page.locator("#job-status").inner_text() == "Refused"
    shot(page, "job-blocked")


def test_staff_approve_a_held_request_and_the_user_then_sees_the_image(live_server, studio_workers, owner, staff,
                                                                       browser, page, log_in, shot):
    from jobs.models import Job

    log_in(page, "owner")
    _create(page, live_server.url, "a photo of Barack Obama shaking hands")
    page.locator("#held-notice").wait_for(timeout=120_000)
    assert page.locator("#job-status").inner_text() == "Waiting for review"
    assert "a real, identifiable public figure" in page.locator("#job").inner_text()
    job = Job.objects.get(user=owner)
    assert job.status == Job.Status.HELD
    shot(page, "job-held")

    reviewer = browser.new_context(viewport={"width": 1280, "height": 900})
    staff_page = reviewer.new_page()
    try:
        log_in(staff_page, "reviewer")
        staff_page.get_by_role("link", name="Staff").click()
        item = staff_page.locator(f"#held-{job.id}")
        assert "Barack Obama" in item.inner_text()
        shot(staff_page, "staff-review")
        item.get_by_label("Note (kept in the audit log)").fill("Clearly a harmless handshake.")
        item.get_by_role("button", name="Approve").click()
        assert "Approved" in staff_page.locator(".messages").inner_text()
        assert staff_page.locator(f"#held-{job.id}").count() == 0
    finally:
        reviewer.close()

    # The user's page was left open: it notices the approval by itself and shows the image.
    page.locator(".results img").first.wait_for(timeout=240_000)
    assert page.locator("#job-status").inner_text() == "Done"
    from trust.models import AuditEntry

    approved = AuditEntry.objects.get(event="review.approved", subject=f"job:{job.id}")
    assert approved.actor == "reviewer" and approved.data["note"] == "Clearly a harmless handshake."
