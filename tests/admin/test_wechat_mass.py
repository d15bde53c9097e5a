"""Mass sends and articles in a browser: a draft is previewed and sent only after the confirmation; articles are
synced and listed."""

from __future__ import annotations

MASS = "#section-wechat-mass"
ARTICLES = "#section-wechat-articles"


def test_a_mass_send_is_previewed_then_confirmed(page, imbridge, screenshot):
    page.goto(page.url.split("#")[0] + "#/wechat-mass")
    form = page.locator(f"{MASS} form")
    form.locator("select[name=to]").select_option("openids")
    form.locator("input[name='audience.openids']").fill("oA")
    form.locator("button[type=submit]").click()
    form.locator("[data-field='audience.openids'] .field-error").wait_for()
    form.locator("input[name='audience.openids']").fill("oMassA, oMassB")
    form.locator("textarea[name='message.text.content']").fill("本周活动")
    form.locator("button[type=submit]").click()
    dialog = page.locator("dialog.modal")
    assert dialog.locator(".mass-audience").inner_text() == "2 openids"
    pair = ["oMassA", "oMassB"]
    assert not [e for e in imbridge.journal("/cgi-bin/message/mass/") if e["json"].get("touser") == pair]
    screenshot("wechat-mass-confirm")
    dialog.locator("button:has-text('Confirm and send')").click()
    dialog.locator(".job-progress.job-succeeded").wait_for()
    [sent] = [e for e in imbridge.journal("/cgi-bin/message/mass/send") if e["json"].get("touser") == pair]
    assert sent["json"]["text"] == {"content": "本周活动"}


def test_articles_are_synced_and_listed(page, imbridge, screenshot):
    page.goto(page.url.split("#")[0] + "#/wechat-articles")
    page.click(f"{ARTICLES} button:has-text('Sync from WeChat')")
    page.wait_for_selector(f"{ARTICLES} .job-progress.job-succeeded")
    page.locator(f"{ARTICLES} tr", has_text="周报 第30期").wait_for()
    assert page.locator(f"{ARTICLES} tbody tr").count() == 20
    page.select_option(f"{ARTICLES} select[name=kind]", "draft")
    page.locator(f"{ARTICLES} tr", has_text="新版本发布说明").wait_for()
    screenshot("wechat-articles")
