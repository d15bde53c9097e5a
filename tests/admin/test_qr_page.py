"""The QR-login demo page in both languages: its texts, the sandbox command as the README runs it (with
``--ingress`` when the ingress is not on the default port), and an unbound scan refused on both ends: the browser
says refused and the phone is told nobody is bound (not "confirmed")."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from sandbox import callbacks
from tests.admin.conftest import UI_TIMEOUT_MS
from tests.admin.test_i18n import leftovers, shoot
from tests.sandbox_support import demo_settings

STRANGER = "oStranger0000000000000000001"


def open_page(browser, imbridge, locale: str):
    context = browser.new_context(viewport={"width": 900, "height": 900}, locale=locale)
    context.set_default_timeout(UI_TIMEOUT_MS)
    page = context.new_page()
    page.goto(f"{imbridge.url}/demo/qr-login")
    return context, page


def test_the_qr_page_speaks_chinese_and_a_stranger_scan_is_refused_on_both_ends(browser, imbridge, tmp_path):
    context, page = open_page(browser, imbridge, "zh-CN")
    try:
        expect(page.locator("#status")).to_have_text("请用微信扫描二维码。")
        expect(page.locator("h1")).to_have_text("微信扫码登录")
        command = page.inner_text("#command")
        key = re.fullmatch(r"\.venv/bin/imbridge sandbox scan --key (\S+) --ingress (\S+)", command)
        assert key, command
        assert key.group(2) == imbridge.url, "a custom port is named, or the scan would go to 127.0.0.1:8000"
        assert page.inner_text("#command-stranger").endswith(f"--openid {STRANGER}")
        shoot(page, tmp_path, "zh-qr-login")
        assert leftovers(page, set()) == []

        answer = callbacks.scan(imbridge.url, demo_settings(), key.group(1), STRANGER, sandbox_url=imbridge.sandbox_url)
        reply = callbacks.read_reply(answer, demo_settings())
        assert "尚未绑定" in reply["Content"] and "not bound" in reply["Content"]
        expect(page.locator("#status")).to_contain_text("登录被拒绝")
        shoot(page, tmp_path, "zh-qr-login-refused")
        assert leftovers(page, set()) == [], "the API's refusal is in Chinese too"
    finally:
        context.close()


def test_the_qr_page_in_english_and_the_demo_follower_logs_in(browser, imbridge, tmp_path):
    context, page = open_page(browser, imbridge, "en-US")
    try:
        expect(page.locator("#status")).to_have_text("Scan the code with WeChat.")
        key = page.inner_text("#command").split("--key ")[1].split()[0]
        shoot(page, tmp_path, "en-qr-login")
        answer = callbacks.scan(imbridge.url, demo_settings(), key, sandbox_url=imbridge.sandbox_url)
        assert "Login confirmed" in callbacks.read_reply(answer, demo_settings())["Content"]
        expect(page.locator("#user .ok")).to_have_text("Logged in")
        expect(page.locator("#expires")).to_have_text(re.compile(r"^Token expires in \d+ s\.$"))
        page.select_option("#lang", "zh-CN")
        expect(page.locator("h1")).to_have_text("微信扫码登录")
    finally:
        context.close()
