"""The admin page in 简体中文 and English: chosen from the browser's language, switchable, remembered; no English
left on the Chinese screens; dates as yyyy-MM-dd HH:mm:ss; and the layout at 1280 px and on a phone.

Screenshots of both languages go to the test's temporary directory (and to var/screenshots/, like the others).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from tests.admin.conftest import SCREENSHOTS, UI_TIMEOUT_MS
from tests.admin.test_inbound import say

#: Every section's hash, and something each shows once loaded.
SECTIONS = {
    "notifications": "#section-notifications table, #section-notifications .empty",
    "notifications/new": "#compose-channel",
    "robots": "#section-robots table, #section-robots .empty",
    "wechat-templates": "#section-wechat-templates table, #section-wechat-templates .empty",
    "wechat-menus": "#section-wechat-menus .menu-drafts .card",
    "wechat-media": "#media-dropzone",
    "wechat-mass": "#section-wechat-mass form",
    "wechat-articles": "#section-wechat-articles table, #section-wechat-articles .empty",
    "inbound": "#section-inbound table, #section-inbound .empty",
    "webhooks": "#section-webhooks table, #section-webhooks .empty",
    "system": "#deliveries-chart",
    "wechat-followers": "#section-wechat-followers .followers-list :is(table, .empty)",
    "system-handlers": "#section-system-handlers table",
    "users": "#section-users table, #section-users .empty",
    "accounts": "#section-accounts table",
}

#: Words that may stay in Latin letters on a Chinese screen: product and protocol names, the platforms' own
#: field names and message types (what an operator types into the API), units. Anything else is a leftover.
ALLOWED = {
    "imbridge", "imb", "api", "key", "url", "id", "ids", "http", "json", "webhook", "markdown", "token", "access",
    "sec", "post", "openid", "appid", "userid", "errcode", "msgid", "msgtype", "media", "media_id", "article_id",
    "template_code", "view_limited", "base64", "filename", "redis", "admin", "bearer", "authorization",
    "mp4", "amr", "mp3", "jpg", "jpeg", "png", "gif", "bmp", "wma", "wav",
    # message types and events as the platforms name them (codes shown in code style or as options)
    "text", "image", "voice", "video", "shortvideo", "location", "link", "event", "click", "subscribe",
    "news", "file", "textcard", "mpnews", "template_card", "markdown_v2", "actioncard", "feedcard", "action_card",
    "oa", "template", "wechat", "wecom", "crm", "pages", "index", "data", "deploy",
    # a menu button's attributes as WeChat names them (the problem list's paths end in them)
    "name", "type", "sub_button", "pagepath",
    # units and number words of the page's own formats
    "min", "kb", "mb",
}

#: Walks the visible text (and placeholders) of the page, skipping what is data rather than the page's words:
#: code and JSON blocks, text areas, and the demo's own records (names the seed data gave them).
VISIBLE_TEXT = """
() => {
  const skip = "code, pre, textarea, .mono, .json, .secret, .inbound-text, [data-data], option:not(:checked)";
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest(skip) || !parent.checkVisibility()) continue;
    const text = node.textContent.trim();
    if (text) out.push(text);
  }
  for (const input of document.querySelectorAll("input[placeholder]")) {
    if (input.checkVisibility() && !input.closest(skip)) out.push(input.placeholder);
  }
  return out;
}
"""


def leftovers(page, data_words: set[str]) -> list[str]:
    """The visible texts with an English word that is neither allowed nor the demo's data."""
    found = []
    for text in page.evaluate(VISIBLE_TEXT):
        text = re.sub(r"(https?://|/)[\w./?=&%#:-]+", " ", text)  # URLs and paths are addresses, not words
        # Tokens with digits are ids (imb_80fc8a319abc, oDemoFollower0001): data, whatever the language.
        words = {w.lower().strip("_") for w in re.findall(r"[A-Za-z][A-Za-z_0-9]*", text)
                 if len(w) > 1 and not re.search(r"\d", w)}
        if words - ALLOWED - data_words:
            found.append(text)
    return found


@pytest.fixture
def make_page(browser, imbridge) -> Iterator:
    """``make_page(locale, viewport)``: a logged-in admin page in a browser whose language is ``locale``."""
    contexts = []

    def make(locale: str, width: int = 1360, height: int = 860, login: bool = True):
        context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
        context.set_default_timeout(UI_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.errors = errors
        page.goto(f"{imbridge.url}/admin")
        if login:
            page.fill("#login-key", imbridge.api_key)
            page.click("#login-form button[type=submit]")
            page.wait_for_selector("#shell:not([hidden]) #nav a.active")
        return page

    yield make
    for context in contexts:
        errors = context.pages[0].errors if context.pages else []
        context.close()
        assert errors == [], f"JavaScript errors on the page: {errors}"


def shoot(page, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    return path


def demo_words(imbridge) -> set[str]:
    """The words of the demo's own records (robot and template names...): data, not the page's text."""
    api = httpx.Client(base_url=imbridge.url, headers=imbridge.headers)
    words: set[str] = set()
    for path in ("robots/dingtalk", "robots/wecom", "wechat/templates", "webhooks", "wechat/media", "notifications"):
        text = api.get(f"/api/v1/{path}").text
        words |= {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z_0-9]*", text)}
    return words - {"the", "and", "for"}


def failed_delivery(imbridge) -> str:
    """A WeCom robot send the platform refuses (an unknown key): a failed delivery with one failed attempt."""
    api = httpx.Client(base_url=imbridge.url, headers=imbridge.headers)
    api.post("/api/v1/robots/wecom", json={"code": "i18n-gone", "name": "gone", "key": "no-such-key"})
    accepted = api.post("/api/v1/notifications", json={"channel": "wecom_robot", "robot": "i18n-gone",
                                                       "message": {"msgtype": "text", "text": {"content": "hi"}}})
    return accepted.json()["id"]


def test_a_chinese_browser_gets_every_screen_in_chinese(make_page, imbridge, tmp_path):
    say(imbridge, "你好")
    delivery = failed_delivery(imbridge)
    login = make_page("zh-CN", login=False)
    login.wait_for_selector("#login:not([hidden])")
    expect(login.locator("#login-form button[type=submit]")).to_have_text("登录")
    assert login.evaluate("document.documentElement.lang") == "zh-CN"
    shoot(login, tmp_path, "zh-login")
    assert leftovers(login, set()) == []

    page = make_page("zh-CN")
    data = demo_words(imbridge)
    problems = {}
    for hash_path, ready in {**SECTIONS, f"notifications/{delivery}": "#detail-attempts"}.items():
        page.goto(f"{imbridge.url}/admin#/{hash_path}")
        page.wait_for_selector(ready)
        page.wait_for_load_state("networkidle")
        name = "notifications-detail" if hash_path.startswith("notifications/") and not hash_path.endswith("new") \
            else hash_path.replace("/", "-")
        shoot(page, tmp_path, f"zh-{name}")
        found = leftovers(page, data)
        if found:
            problems[hash_path] = found
    assert problems == {}, f"English left on the Chinese screens: {problems}"

    # A new menu draft breaks rules until it is filled in: the problems are listed in Chinese too.
    page.goto(f"{imbridge.url}/admin#/wechat-menus")
    page.click("#section-wechat-menus .menu-drafts button.primary")
    expect(page.locator("#section-wechat-menus .menu-problems li").first).to_be_visible()
    shoot(page, tmp_path, "zh-wechat-menus-draft")
    assert leftovers(page, data) == [], "the menu rules' problems are in Chinese"

    # Dates and times the Chinese way: 2026-12-06 04:05:06, 24-hour.
    page.goto(f"{imbridge.url}/admin#/notifications")
    first = page.locator("#section-notifications tbody tr").first.locator("td").first
    expect(first).to_have_text(re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"))


def test_the_language_can_be_switched_and_is_remembered(make_page, imbridge, tmp_path):
    page = make_page("zh-CN")
    expect(page.locator("#nav a[data-section=notifications]")).to_have_text("通知")
    page.select_option("#shell .locale-select", "en")
    page.wait_for_selector("#shell:not([hidden]) #nav a.active")
    expect(page.locator("#nav a[data-section=notifications]")).to_have_text("Notifications")
    assert page.evaluate("document.documentElement.lang") == "en"
    expect(page.locator("#section-notifications tbody tr").first.locator("td").first).to_have_text(
        re.compile(r"^[A-Z][a-z]{2} \d{2}, \d{4}, \d{2}:\d{2}:\d{2}$"))
    shoot(page, tmp_path, "en-notifications")
    # Remembered: the next visit of this browser (same storage) opens in English despite its Chinese language.
    page.reload()
    page.wait_for_selector("#shell:not([hidden]) #nav a.active")
    expect(page.locator("#nav a[data-section=robots]")).to_have_text("Robots")
    page.select_option("#shell .locale-select", "zh-CN")
    expect(page.locator("#nav a[data-section=robots]")).to_have_text("机器人")


def test_an_english_browser_gets_english_and_api_errors_follow_the_page(make_page, imbridge):
    page = make_page("en-GB", login=False)
    expect(page.locator("#login-form button[type=submit]")).to_have_text("Sign in")
    page.select_option("#login .locale-select", "zh-CN")
    page.fill("#login-key", "imb_000000000000_wrong")
    page.click("#login-form button[type=submit]")
    # The page asks the API in its own language: the refusal comes back in Chinese.
    expect(page.locator("#login .field-error")).to_have_text("API 密钥不存在或已被吊销")
