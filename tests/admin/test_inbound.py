"""Inbound in a browser: a message the sandbox posts is listed, found by search and shown in full; a webhook
subscription is created (its secret shown once, then masked) and its delivery of that traffic is listed."""

from __future__ import annotations

import secrets

import httpx
from playwright.sync_api import expect

from sandbox import callbacks
from tests.sandbox_support import demo_settings
from tests.waiting import wait_for
from tests.webhook_subscriber import Subscriber

INBOUND = "#section-inbound"
WEBHOOKS = "#section-webhooks"


def say(imbridge, text: str) -> None:
    """A follower writes to the account: the sandbox posts the encrypted callback to the ingress, and the record
    is stored (by a worker, from the portal's inbox)."""
    answer = callbacks.say(imbridge.url, demo_settings(), text)
    assert answer.status_code == 200, answer.text
    wait_for(lambda: httpx.get(f"{imbridge.url}/api/v1/inbound", params={"q": text},
                               headers=imbridge.headers).json()["total"])


def test_a_message_from_the_sandbox_is_listed_searched_and_shown(page, imbridge, screenshot):
    word = secrets.token_hex(4)
    say(imbridge, f"hello admin {word}")
    say(imbridge, "another message")
    page.goto(page.url.split("#")[0] + "#/inbound")
    expect(page.locator(f"{INBOUND} tbody tr").first).to_contain_text(callbacks.DEMO_OPENID)
    expect(page.locator(f"{INBOUND} tbody")).to_contain_text(f"hello admin {word}")
    screenshot("inbound")
    page.fill(f"{INBOUND} input[name=q]", word)
    page.click(f"{INBOUND} button[type=submit]")
    expect(page.locator(f"{INBOUND} tbody tr")).to_have_count(1)
    page.click(f"{INBOUND} tbody tr")
    dialog = page.locator("dialog.modal")
    expect(dialog).to_contain_text(f'"Content": "hello admin {word}"')
    expect(dialog).to_contain_text("yes (safe mode)")
    screenshot("inbound-detail")


def test_a_webhook_is_created_masked_edited_and_its_deliveries_listed(page, imbridge, screenshot):
    subscriber = Subscriber([204])
    try:
        page.goto(page.url.split("#")[0] + "#/webhooks")
        page.click(f"{WEBHOOKS} button:has-text('New webhook')")
        dialog = page.locator("dialog.modal")
        dialog.locator("input[name=name]").fill("crm")
        dialog.locator("input[name=url]").fill(subscriber.url)
        dialog.locator("input[name=events]").fill("text, Event:bad")
        events_error = dialog.locator("[data-field=events] .field-error")
        expect(events_error).to_have_text("not a filter entry: Event:bad")         # live, as typed
        dialog.locator("button[type=submit]").click()
        expect(events_error).to_contain_text("not a filter entry: Event:bad")     # and the API's 422
        expect(dialog.locator(".form-error")).to_contain_text("the request is not valid")
        dialog.locator("input[name=events]").fill("text")
        dialog.locator("button[type=submit]").click()
        secret = dialog.locator("#webhook-secret")
        secret.wait_for()
        generated = secret.inner_text()
        assert len(generated) >= 32
        screenshot("webhooks-secret-once")
        dialog.locator("button:has-text('Done')").click()
        expect(page.locator("dialog.modal")).to_have_count(0)
        row = page.locator(f"{WEBHOOKS} tbody tr", has_text="crm")
        expect(row).to_contain_text("********")
        assert generated not in page.content(), "the secret is shown once, then only masked"

        say(imbridge, "a message for the webhook")
        wait_for(lambda: subscriber.received)
        assert b"a message for the webhook" in subscriber.received[0][1]
        row.locator("button:has-text('Deliveries')").click()
        page.wait_for_selector(f"{WEBHOOKS} h1:has-text('crm')")
        for _ in range(40):
            if page.locator(f"{WEBHOOKS} .badge-delivered").count():
                break
            page.click(f"{WEBHOOKS} button:has-text('Refresh')")
            page.wait_for_timeout(250)
        expect(page.locator(f"{WEBHOOKS} tbody tr").first).to_contain_text("HTTP 204")
        screenshot("webhooks-deliveries")

        page.click(f"{WEBHOOKS} button:has-text('Edit')")
        page.locator("dialog.modal input[name=name]").fill("crm-hooks")
        page.locator("dialog.modal button[type=submit]").click()
        page.click(f"{WEBHOOKS} button:has-text('All webhooks')")
        expect(page.locator(f"{WEBHOOKS} tbody")).to_contain_text("crm-hooks")
        screenshot("webhooks")
    finally:
        subscriber.close()

