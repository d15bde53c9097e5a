"""The menu editor in a browser: a menu with a sub-menu built by clicks and published (the sandbox receives that
tree), and an invalid menu whose problems show next to their fields, live and from the API's 422."""

from __future__ import annotations

import httpx
from playwright.sync_api import expect

from tests.waiting import wait_for

MENU = "#section-wechat-menus"
#: How the page joins the parts of a button's path (a single right-pointing angle quote).
SEP = "\u203a"


def new_draft(page):
    page.goto(page.url.split("#")[0] + "#/wechat-menus")
    page.click(f"{MENU} button:has-text('New draft')")
    page.wait_for_selector("#menu-button-form input[name=name]")


def test_a_menu_with_a_sub_menu_is_built_and_published(page, imbridge, screenshot):
    new_draft(page)
    form = page.locator("#menu-button-form")
    form.locator("input[name=name]").fill("今日歌曲")
    form.locator("input[name=key]").fill("V1001_TODAY_MUSIC")
    page.click(f"{MENU} .menu-add")                                  # a second top-level button
    form.locator("input[name=name]").fill("菜单")
    page.click(f"{MENU} .menu-add-sub[data-parent='1']")               # ...that opens a sub-menu
    form.locator("select[name=type]").select_option("view")
    form.locator("input[name=name]").fill("搜索")
    form.locator("input[name=url]").fill("https://www.example.com/search")
    page.click(f"{MENU} .menu-add-sub[data-parent='1']")
    form.locator("select[name=type]").select_option("miniprogram")
    form.locator("input[name=name]").fill("小程序")
    assert "a miniprogram button needs appid" in form.locator("[data-field=appid] .field-error").inner_text()
    form.locator("input[name=url]").fill("https://www.example.com/")
    form.locator("input[name=appid]").fill("wx286b93c14bbf93aa")
    form.locator("input[name=pagepath]").fill("pages/lunar/index")
    page.fill(f"{MENU} input[name=menu-name]", "spring")
    assert page.locator(f"{MENU} .menu-problems").inner_text().startswith("✓")
    screenshot("wechat-menus-editor")

    page.click(f"{MENU} button:has-text('Publish')")
    page.wait_for_selector(f"{MENU} .job-progress.job-succeeded")
    page.wait_for_selector(f"{MENU} .draft-list li.active .badge-live")
    [create] = [e for e in imbridge.journal("menu/create") if e["json"]["button"][0]["name"] == "今日歌曲"][-1:]
    assert create["json"] == {"button": [
        {"type": "click", "name": "今日歌曲", "key": "V1001_TODAY_MUSIC"},
        {"name": "菜单", "sub_button": [
            {"type": "view", "name": "搜索", "url": "https://www.example.com/search"},
            {"type": "miniprogram", "name": "小程序", "url": "https://www.example.com/",
             "appid": "wx286b93c14bbf93aa", "pagepath": "pages/lunar/index"}]}]}
    screenshot("wechat-menus-published")

    # The live menu opens read-only: a change there is compared with live, then saved as a new draft.
    page.click(f"{MENU} .menu-cell[data-path='0']")
    form.locator("input[name=name]").fill("今日新歌")
    page.click(f"{MENU} button:has-text('Save as new draft')")
    expect(page.locator(f"{MENU} .notice")).to_have_count(0)              # the new draft is open, not live
    page.click(f"{MENU} button:has-text('Compare with live')")
    dialog = page.locator("dialog.modal")
    dialog.wait_for()
    assert f"button 1 “今日新歌” {SEP} name" in dialog.inner_text()
    assert "今日歌曲" in dialog.inner_text() and "changed" in dialog.inner_text()
    screenshot("wechat-menus-diff")


def test_an_invalid_menu_shows_every_problem_at_its_field_live_and_from_the_api(page, imbridge, screenshot):
    new_draft(page)
    form = page.locator("#menu-button-form")
    form.locator("input[name=name]").fill("一个很长的菜单名字")               # 27 bytes > 16
    name_error = form.locator("[data-field=name] .field-error")
    assert name_error.inner_text() == "at most 16 bytes (UTF-8), not 27"
    assert form.locator("[data-field=key] .field-error").inner_text() == "a click button needs key"
    assert page.locator(f"{MENU} .menu-cell[data-path='0'] .menu-cell-count").inner_text() == "2"
    assert page.locator(f"{MENU} [data-field=name].invalid").count() == 2  # the draft's name is missing too
    for _ in range(2):
        page.click(f"{MENU} .menu-add")
    assert page.locator(f"{MENU} .menu-add").count() == 0, "no fourth top-level button"

    page.fill(f"{MENU} input[name=menu-name]", "broken")
    page.click(f"{MENU} button:has-text('Save draft')")
    summary = page.locator(f"{MENU} .menu-problems")
    summary.locator(".server-error").wait_for()
    assert "the menu is not valid" in summary.inner_text()
    assert f"button 1 “一个很长的菜单名字” {SEP} name: at most 16 bytes" in summary.inner_text()
    page.click(f"{MENU} .menu-cell[data-path='0']")
    assert name_error.inner_text() == "at most 16 bytes (UTF-8), not 27"
    screenshot("wechat-menus-invalid")


def publish_by_api(imbridge, buttons: list) -> None:
    """A live menu made without the page (as another operator or a script would)."""
    api = httpx.Client(base_url=f"{imbridge.url}/api/v1", headers=imbridge.headers, timeout=10)
    menu = api.post("/wechat/menus", json={"name": "from a script", "buttons": buttons}).json()
    job_id = api.post(f"/wechat/menus/{menu['id']}/publish").json()["jobId"]
    wait_for(lambda: api.get(f"/jobs/{job_id}").json()["status"] == "succeeded")


def test_the_live_menu_is_imported_then_cleared(page, imbridge, screenshot):
    publish_by_api(imbridge, [{"type": "click", "name": "Help", "key": "HELP"},
                              {"name": "Shop", "sub_button": [{"type": "view", "name": "Store", "url": "https://shop.example.com/"}]}])
    page.goto(page.url.split("#")[0] + "#/wechat-menus")
    page.click(f"{MENU} button:has-text('Import live menu')")
    page.wait_for_selector(f"{MENU} .job-progress.job-succeeded")
    expect(page.locator(f"{MENU} .draft-list li.active")).to_contain_text("live")
    expect(page.locator(f"{MENU} .menu-cell[data-path='1.0']")).to_have_text("Store")
    expect(page.locator(f"{MENU} .notice")).to_contain_text("This is the live menu")
    screenshot("wechat-menus-imported")

    deletes = len(imbridge.journal("menu/delete"))
    page.click(f"{MENU} button:has-text('Clear live menu')")
    page.click("dialog.modal button:has-text('Clear')")
    page.wait_for_selector(f"{MENU} .job-progress.job-succeeded:has-text('Clearing')")
    assert len(imbridge.journal("menu/delete")) == deletes + 1
    expect(page.locator(f"{MENU} .draft-list .badge-live")).to_have_count(0)
