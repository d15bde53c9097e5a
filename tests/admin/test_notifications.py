"""Notifications on the admin page: compose one and watch it reach ``sent``, read its attempts, see the API's
422 inline, retry a failed one."""

from __future__ import annotations

import httpx
from playwright.sync_api import expect


def test_compose_a_notification_and_watch_it_reach_sent(page, imbridge, screenshot):
    page.click("#nav a[data-section=notifications]")
    page.click("#compose")
    page.select_option("#compose-channel", "wecom_robot")
    page.select_option("#compose-msgtype", "markdown")
    page.select_option("[name=robot]", "demo-wecom")
    page.fill("[name='message.markdown.content']", "**build** passed on the admin page")
    page.click("#section-notifications button[type=submit]")
    expect(page.locator(".delivery-track .delivery-status")).to_have_attribute("data-status", "sent")
    screenshot("notifications-compose")
    assert any("build** passed on the admin page" in str(e) for e in imbridge.journal("webhook/send"))

    page.click(".delivery-track a")
    expect(page.locator("#detail-status")).to_contain_text("sent")
    expect(page.locator("#section-notifications table")).to_contain_text("sent")
    screenshot("notifications-detail")

    page.click("text=Back to the log")
    expect(page.locator("#section-notifications tbody tr").first).to_contain_text("WeCom robot")
    page.select_option("[name=channel]", "wecom_robot")
    page.click("#section-notifications .filters-form button[type=submit]")
    expect(page.locator("#section-notifications tbody tr").first).to_contain_text("sent")
    screenshot("notifications")


def test_compose_shows_the_api_validation_errors_inline(page, screenshot):
    page.goto(page.url.split("#")[0] + "#/notifications/new?channel=dingtalk_work")
    page.fill("[name='message.text.content']", "")
    page.click("#section-notifications button[type=submit]")
    expect(page.locator(".field[data-field='to.users'] .field-error")).to_contain_text("at least one recipient")
    expect(page.locator(".field[data-field='message.text.content'] .field-error")).to_contain_text("Field required")
    expect(page.locator("#section-notifications .form-error")).to_contain_text("the notification is not valid")
    page.select_option("#compose-msgtype", "link")
    page.fill("[name=message]", '{"msgtype": "link", "link": {"title": "t"}}')
    page.fill("[name='to.users']", "manager01")
    page.click("#section-notifications button[type=submit]")
    expect(page.locator(".field[data-field=message] .field-error")).to_contain_text("message.link.messageUrl")
    screenshot("notifications-compose-errors")


def test_a_failed_notification_can_be_retried(page, imbridge):
    api = httpx.Client(base_url=imbridge.url, headers=imbridge.headers)
    assert api.post("/api/v1/robots/wecom", json={"code": "gone", "name": "Removed robot", "key": "no-such-key"}
                    ).status_code == 201
    accepted = api.post("/api/v1/notifications", json={"channel": "wecom_robot", "robot": "gone",
                                                       "message": {"msgtype": "text", "text": {"content": "hi"}}})
    delivery = accepted.json()["id"]
    page.goto(page.url.split("#")[0] + f"#/notifications/{delivery}")
    expect(page.locator("#detail-status")).to_contain_text("failed")
    expect(page.locator("#section-notifications table")).to_contain_text("93000")
    page.click("#retry")
    expect(page.locator("#section-notifications table tbody tr")).to_have_count(2)
    expect(page.locator("#detail-status")).to_contain_text("failed")


def test_a_failed_delivery_shows_its_failed_attempt_and_the_platform_error(page, imbridge, screenshot):
    api = httpx.Client(base_url=imbridge.url, headers=imbridge.headers)
    api.post("/api/v1/robots/wecom", json={"code": "refused", "name": "Refused robot", "key": "no-such-key-either"})
    accepted = api.post("/api/v1/notifications", json={"channel": "wecom_robot", "robot": "refused",
                                                       "message": {"msgtype": "text", "text": {"content": "hi"}}})
    page.goto(page.url.split("#")[0] + f"#/notifications/{accepted.json()['id']}")
    expect(page.locator("#detail-status")).to_contain_text("failed")
    # A permanent refusal is a failed attempt too (the record's failedAttempts counts only retryable ones).
    expect(page.locator("#detail-attempts")).to_have_text("1 (1 failed)")
    answer = page.locator("#platform-answer")
    expect(answer).to_contain_text("Attempt 1 failed: errcode 93000")
    expect(answer).to_contain_text("invalid webhook url")
    expect(answer).not_to_contain_text("Nothing beyond success")
    screenshot("notifications-failed-detail")


def test_a_sent_oa_work_notification_gets_its_status_bar_set(page, imbridge, screenshot):
    api = httpx.Client(base_url=imbridge.url, headers=imbridge.headers)
    accepted = api.post("/api/v1/notifications", json={"channel": "dingtalk_work", "to": {"users": ["manager01"]},
                        "message": {"msgtype": "oa", "oa": {"message_url": "https://x/oa",
                                                            "head": {"bgcolor": "FFBBBBBB", "text": "审批"},
                                                            "body": {"title": "请假"}}}})
    page.goto(page.url.split("#")[0] + f"#/notifications/{accepted.json()['id']}")
    expect(page.locator("#detail-status")).to_contain_text("sent")
    page.click("#status-bar")
    page.fill("dialog [name=value]", "已同意")
    page.select_option("dialog [name=color]", "#F65E5E")
    page.click("dialog button[type=submit]")
    expect(page.locator("#section-notifications table")).to_contain_text("status bar set")
    expect(page.locator("#detail-attempts")).to_have_text("1")  # the update is no failed send
    [entry] = imbridge.journal("status_bar/update")
    assert entry["json"]["status_value"] == "已同意" and entry["json"]["status_bg"] == "0xFFF65E5E"
    screenshot("notifications-status-bar")


def test_compose_a_group_message_through_the_enterprise_robot(page, imbridge):
    page.goto(page.url.split("#")[0] + "#/notifications/new?channel=dingtalk_group")
    page.select_option("#compose-msgtype", "sampleMarkdown")
    page.fill("[name='to.group']", "cidAdminPage")
    page.click("#section-notifications button[type=submit]")
    expect(page.locator(".delivery-track .delivery-status")).to_have_attribute("data-status", "sent")
    [entry] = imbridge.journal("robot/groupMessages/send")
    assert entry["json"]["openConversationId"] == "cidAdminPage" and entry["json"]["msgKey"] == "sampleMarkdown"
