"""The admin page's layout where it used to stumble: a dialog left open after Back, the Messages & events table
wider than a 1280 px screen, filter fields too narrow for their values, and phones (<= 700 px)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.admin.test_inbound import say

#: A sender's long text without spaces: what used to push the table past the screen.
LONG = "x" * 190


def test_back_closes_a_dialog_opened_on_the_previous_view(page):
    page.click("#nav a[data-section=notifications]")
    page.wait_for_selector("#section-notifications")
    page.click("#nav a[data-section=robots]")
    page.click("#add-robot")
    expect(page.locator("dialog[open]")).to_have_count(1)
    page.go_back()
    page.wait_for_selector("#section-notifications")
    expect(page.locator("dialog[open]")).to_have_count(0)


def overflow(page, selector: str) -> int:
    """How many pixels the element's content is wider than the element (0: it fits)."""
    return page.eval_on_selector(selector, "e => e.scrollWidth - e.clientWidth")


def test_messages_and_events_fit_a_1280_px_screen(page, imbridge):
    say(imbridge, f"long {LONG}")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(page.url.split("#")[0] + "#/inbound")
    page.wait_for_selector("#section-inbound tbody tr")
    assert overflow(page, "#section-inbound .table-wrap") <= 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280


def test_filter_fields_are_wide_enough_for_their_values(page):
    for section in ("notifications", "inbound"):
        for width in (1280, 1440):
            page.set_viewport_size({"width": width, "height": 800})
            page.goto(page.url.split("#")[0] + f"#/{section}")
            controls = page.locator(f"#section-{section} .filters-form input:not([type=hidden]), "
                                    f"#section-{section} .filters-form select")
            controls.first.wait_for()
            for i in range(controls.count()):
                box = controls.nth(i).bounding_box()
                # A date and time (yyyy-mm-dd hh:mm with its picker button) needs about 200 px.
                assert box["width"] >= 200, f"{section} at {width} px: control {i} is {box['width']} px wide"


def test_a_phone_gets_one_column_and_no_sideways_scrolling(page, screenshot):
    page.set_viewport_size({"width": 390, "height": 844})
    for section in ("notifications", "robots", "inbound", "system", "wechat-followers", "system-handlers", "users"):
        page.goto(page.url.split("#")[0] + f"#/{section}")
        page.wait_for_selector(f"#section-{section} .page-head")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, section
        nav, main = page.locator("#nav").bounding_box(), page.locator("#main").bounding_box()
        assert nav["y"] + nav["height"] <= main["y"] + 1 and main["x"] < 20, "the navigation sits above the page"
    screenshot("phone-system")
