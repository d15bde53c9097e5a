"""The System screen: token status per app, queues and the deliveries chart, from the running system."""

from __future__ import annotations

import httpx
from playwright.sync_api import expect


def test_the_system_screen_shows_tokens_queues_and_the_chart(page, imbridge, screenshot):
    message = {"msgtype": "text", "text": {"content": "x"}}
    accepted = httpx.post(f"{imbridge.url}/api/v1/notifications", headers=imbridge.headers,
                          json={"channel": "dingtalk_robot", "robot": "demo-dingtalk", "message": message})
    assert accepted.status_code == 202
    page.click("#nav a[data-section=system]")
    for app in ("wechat", "wecom", "dingtalk"):
        expect(page.locator(f".token-card[data-app={app}]")).to_be_visible()
    expect(page.locator(".token-card[data-app=dingtalk] .token-fetches")).not_to_have_text("0")
    expect(page.locator("#section-system table").first).to_contain_text("notifications")
    expect(page.locator("#deliveries-chart rect").first).to_be_attached()
    screenshot("system")
