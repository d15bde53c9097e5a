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


def test_a_spent_quota_shows_a_banner_in_the_pages_language(page, imbridge, screenshot):
    fault = httpx.post(f"{imbridge.sandbox_url}/_sandbox/faults", timeout=10, json={
        "pattern": "*/asyncsend_v2", "kind": "errcode", "errcode": 90020, "times": 1,
        "errmsg": "您的企业本月api调用量已超过限制"})
    assert fault.status_code == 201
    accepted = httpx.post(f"{imbridge.url}/api/v1/notifications", headers=imbridge.headers, json={
        "channel": "dingtalk_work", "to": {"users": ["u1"]}, "message": {"msgtype": "text", "text": {"content": "q"}}})
    assert accepted.status_code == 202
    page.click("#nav a[data-section=system]")
    banner = page.locator(".alert-banner[data-platform=dingtalk]")
    expect(banner).to_contain_text("The DingTalk API quota is spent", timeout=30_000)  # the page refreshes every 10 s
    expect(banner).to_contain_text("90020")
    [alert] = httpx.get(f"{imbridge.url}/api/v1/system/status", headers=imbridge.headers, timeout=10).json()["alerts"]
    assert "钉钉的 API 调用额度已用完" in alert["message"]["zh-CN"]  # what a Chinese page shows
    screenshot("system-quota-banner")
