"""Fan-out on the admin page: one message to a DingTalk and a WeCom robot, one group, both followed to ``sent``."""

from __future__ import annotations

from playwright.sync_api import expect


def test_one_message_to_several_targets_reaches_each(page, imbridge, screenshot):
    page.click("#nav a[data-section=notifications]")
    page.click("#compose")
    page.click("#fan-out")
    page.fill("[name=dingtalkRobots]", "demo-dingtalk")
    page.fill("[name=wecomRobots]", "demo-wecom")
    page.select_option("[name='message.format']", "markdown")
    page.fill("[name='message.title']", "Deploy")
    page.fill("[name='message.text']", "**crm** is live, from the fan-out form")
    page.click("#section-notifications button[type=submit]")
    expect(page.locator("#fan-out-group")).to_contain_text("2 targets")
    statuses = page.locator(".delivery-track .delivery-status")
    expect(statuses).to_have_count(2)
    for index in range(2):
        expect(statuses.nth(index)).to_have_attribute("data-status", "sent")
    screenshot("notifications-fan-out")
    assert any("from the fan-out form" in str(e) for e in imbridge.journal("robot/send"))
    assert any("from the fan-out form" in str(e) for e in imbridge.journal("webhook/send"))
