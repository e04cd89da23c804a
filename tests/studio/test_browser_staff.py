"""Staff suspend and lift an account from the studio, and check the audit log's chain."""
from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_suspend_then_lift_an_account_and_the_audit_log_verifies(live_server, owner, staff, browser, page,
                                                                       log_in, shot):
    from trust.enforcement import active_suspension
    from trust.models import AuditEntry

    log_in(page, "reviewer")
    page.goto(live_server.url + "/staff/accounts/?q=owner")
    row = page.locator(f"#account-{owner.pk}")
    assert "In good standing" in row.inner_text()
    row.get_by_label("Reason or note").fill("Spamming the queue.")
    row.get_by_label("Days").fill("2")
    row.get_by_role("button", name="Suspend").click()
    assert "owner is suspended" in page.locator(".messages").inner_text()
    suspension = active_suspension(owner)
    assert suspension is not None and suspension.reason == "Spamming the queue."
    shot(page, "staff-accounts")

    user_context = browser.new_context()
    user_page = user_context.new_page()
    try:
        log_in(user_page, "owner")
        assert "Spamming the queue." in user_page.locator("#suspended-banner").inner_text()
    finally:
        user_context.close()

    row = page.locator(f"#account-{owner.pk}")
    row.get_by_label("Reason or note").fill("Appeal accepted.")
    row.get_by_role("button", name="Lift suspension").click()
    assert "is lifted" in page.locator(".messages").inner_text()
    assert active_suspension(owner) is None
    assert AuditEntry.objects.filter(event="enforcement.lifted", actor="reviewer").exists()

    page.get_by_role("link", name="Audit log").click()
    page.get_by_role("button", name="Verify the chain").click()
    status = page.locator("#audit-verify").inner_text()
    assert "The chain is intact" in status
    assert page.locator("table.audit tbody tr", has_text="enforcement.suspended").count() == 1
    shot(page, "staff-audit")
