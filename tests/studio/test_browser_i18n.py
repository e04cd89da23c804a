"""The Chinese locale renders: the switcher turns the pages into Simplified Chinese."""
from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_switcher_renders_the_studio_in_chinese(live_server, owner, page, log_in, shot):
    log_in(page, "owner")
    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Switch").click()
    page.wait_for_url(live_server.url + "/create/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h1").inner_text() == "创作图片"
    page.get_by_label("提示词").fill("雪地里的狐狸水彩画")
    assert page.get_by_role("button", name="创作", exact=True).is_visible()
    shot(page, "create-zh")
    page.get_by_role("link", name="验证").click()
    assert page.locator("h1").inner_text() == "验证图片"
    page.get_by_label("语言").select_option("en")
    page.get_by_role("button", name="切换").click()
    assert page.locator("h1").inner_text() == "Verify an image"


def test_the_phone_width_layout_keeps_every_control_reachable(live_server, owner, browser, log_in, shot):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone = context.new_page()
    try:
        log_in(phone, "owner")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways ({width}px)"
        assert phone.get_by_label("Prompt").is_visible() and phone.get_by_role("button", name="Create", exact=True).is_visible()
        shot(phone, "create-phone")
    finally:
        context.close()
