"""Menus: drafts checked against every platform rule, publish / import / clear through jobs, the diff."""

from __future__ import annotations

import pytest

from tests.sandbox_support import journal
from tests.wechat_admin.conftest import job_count, queued_messages

MENUS = "/api/v1/wechat/menus"

#: One button of each of the 13 types, with the attributes each needs.
BUTTONS_BY_TYPE = {
    "click": {"type": "click", "name": "今日歌曲", "key": "V1001_TODAY_MUSIC"},
    "view": {"type": "view", "name": "搜索", "url": "https://www.example.com/"},
    "miniprogram": {"type": "miniprogram", "name": "小程序", "url": "https://mp.example.com/",
                    "appid": "wx286b93c14bbf93aa", "pagepath": "pages/lunar/index"},
    "scancode_push": {"type": "scancode_push", "name": "扫码推事件", "key": "rselfmenu_0_1"},
    "scancode_waitmsg": {"type": "scancode_waitmsg", "name": "扫码带提示", "key": "rselfmenu_0_0"},
    "pic_sysphoto": {"type": "pic_sysphoto", "name": "系统拍照发图", "key": "rselfmenu_1_0"},
    "pic_photo_or_album": {"type": "pic_photo_or_album", "name": "拍照或者相册发图", "key": "rselfmenu_1_1"},
    "pic_weixin": {"type": "pic_weixin", "name": "微信相册发图", "key": "rselfmenu_1_2"},
    "location_select": {"type": "location_select", "name": "发送位置", "key": "rselfmenu_2_0"},
    "media_id": {"type": "media_id", "name": "图片", "media_id": "MEDIA_ID1"},
    "view_limited": {"type": "view_limited", "name": "图文消息", "media_id": "MEDIA_ID2"},
    "article_id": {"type": "article_id", "name": "发布后的图文", "article_id": "ARTICLE_ID1"},
    "article_view_limited": {"type": "article_view_limited", "name": "图文链接", "article_id": "ARTICLE_ID2"},
}


def publish(api, menu_id: int) -> dict:
    return api.run("post", f"{MENUS}/{menu_id}/publish")


@pytest.mark.parametrize("kind", list(BUTTONS_BY_TYPE))
def test_every_button_type_is_saved_and_published_as_given(kind, api, worker, control):
    buttons = [dict(BUTTONS_BY_TYPE[kind], name="按钮"), {"name": "更多", "sub_button": [BUTTONS_BY_TYPE[kind]]}]
    saved = api.post(MENUS, {"name": f"{kind} menu", "buttons": buttons})
    assert saved.status_code == 201, saved.text
    job = publish(api, saved.json["id"])
    assert job["status"] == "succeeded" and job["result"] == {"menuId": saved.json["id"], "buttons": 2}
    [create] = journal(control, "menu/create")
    assert create["method"] == "POST" and create["json"] == {"button": buttons}
    assert api.get(f"{MENUS}/published").json["id"] == saved.json["id"]


def test_a_full_menu_of_every_type_is_published(api, worker, control):
    kinds = list(BUTTONS_BY_TYPE.values())
    buttons = [{"name": f"菜单{i}", "sub_button": kinds[i * 5:(i + 1) * 5]} for i in range(3)]
    saved = api.post(MENUS, {"name": "everything", "buttons": buttons, "remark": "all 13 types"})
    assert saved.status_code == 201, saved.text
    assert publish(api, saved.json["id"])["status"] == "succeeded"
    assert journal(control, "menu/create")[0]["json"] == {"button": buttons}
    live = control.get("/journal", params={"path": "menu/create"}).json()["entries"][0]["response"]
    assert live == {"errcode": 0, "errmsg": "ok"}


def test_bad_menu_gets_one_422_listing_every_problem_and_nothing_is_saved_or_queued(runtime, api, worker):
    before_jobs, before_queued = job_count(runtime), queued_messages(runtime)
    buttons = [
        {"type": "click", "name": "一二三四五六", "key": "k"},                     # 18 bytes: top-level names take 16
        {"type": "click", "name": "no key"},                                      # a click needs a key
        {"name": "more", "sub_button": [
            {"type": "view", "name": "s" * 61, "url": "https://x/" + "u" * 1024},  # 61-byte sub name, long url
            {"type": "miniprogram", "name": "mp", "url": "https://x"},             # no appid, no pagepath
            {"type": "bogus", "name": "b"},                                        # unknown type
            {"type": "media_id", "name": "m", "kee": "typo"},                      # no media_id, unknown attribute
            {"type": "article_id", "name": "a"}, {"type": "click", "name": "c", "key": "k" * 129},
        ]},
        {"type": "view", "name": "fourth", "url": "https://x"},                   # a 4th top-level button
    ]
    refused = api.post(MENUS, {"name": "", "buttons": buttons})
    assert refused.status_code == 422
    details = {(d["field"], d["message"]) for d in refused.json["error"]["details"]}
    fields = [d["field"] for d in refused.json["error"]["details"]]
    assert fields == ["name", "buttons", "buttons.0.name", "buttons.1.key", "buttons.2.sub_button",
                      "buttons.2.sub_button.0.name", "buttons.2.sub_button.0.url", "buttons.2.sub_button.1.appid",
                      "buttons.2.sub_button.1.pagepath", "buttons.2.sub_button.2.type",
                      "buttons.2.sub_button.3.kee", "buttons.2.sub_button.3.media_id",
                      "buttons.2.sub_button.4.article_id", "buttons.2.sub_button.5.key"]
    assert ("buttons", "a menu has 1 to 3 top-level buttons, not 4") in details
    assert ("buttons.0.name", "at most 16 bytes (UTF-8), not 18") in details
    assert ("buttons.1.key", "a click button needs key") in details
    assert ("buttons.2.sub_button", "at most 5 sub-buttons, not 6") in details
    assert api.get(MENUS).json["items"] == []
    assert job_count(runtime) == before_jobs and queued_messages(runtime) <= before_queued


@pytest.mark.parametrize(("buttons", "field", "message"), [
    ([{"type": "click", "name": f"b{i}", "key": "k"} for i in range(4)], "buttons", "1 to 3 top-level buttons, not 4"),
    ([{"type": "click", "name": "x" * 17, "key": "k"}], "buttons.0.name", "at most 16 bytes"),
    ([{"type": "click", "name": "click"}], "buttons.0.key", "needs key"),
    ([], "buttons", "1 to 3 top-level buttons, not 0"),
    ({"button": []}, "buttons", "a list of buttons"),
    ([{"name": "m", "sub_button": [{"name": "s", "type": "view", "url": "u", "sub_button": [{"name": "x"}]}]}],
     "buttons.0.sub_button.0.sub_button", "cannot have sub-buttons"),
    ([{"type": "view", "name": "v", "url": 7}], "buttons.0.url", "must be a string"),
])
def test_each_rule_is_named(api, buttons, field, message):
    refused = api.post(MENUS, {"name": "m", "buttons": buttons})
    assert refused.status_code == 422
    [detail] = [d for d in refused.json["error"]["details"] if d["field"] == field]
    assert message in detail["message"]


def test_publish_makes_the_draft_the_only_published_row(api, worker, control):
    first = api.post(MENUS, {"name": "one", "buttons": [BUTTONS_BY_TYPE["click"]]}).json
    second = api.post(MENUS, {"name": "two", "buttons": [BUTTONS_BY_TYPE["view"]]}).json
    assert publish(api, first["id"])["status"] == "succeeded"
    assert publish(api, second["id"])["status"] == "succeeded"
    rows = {m["id"]: m for m in api.get(MENUS).json["items"]}
    assert rows[second["id"]]["published"] and not rows[first["id"]]["published"]
    assert rows[second["id"]]["publishedAt"]
    assert [e["json"]["button"] for e in journal(control, "menu/create")] == [first["buttons"], second["buttons"]]


def test_the_published_row_is_not_edited_in_place(api, worker):
    menu = api.post(MENUS, {"name": "live", "buttons": [BUTTONS_BY_TYPE["click"]]}).json
    publish(api, menu["id"])
    assert api.patch(f"{MENUS}/{menu['id']}", {"name": "renamed"}).status_code == 409
    assert api.delete(f"{MENUS}/{menu['id']}").status_code == 409


def test_drafts_are_edited_checked_and_deleted(api):
    menu = api.post(MENUS, {"name": "draft", "buttons": [BUTTONS_BY_TYPE["click"]]}).json
    renamed = api.patch(f"{MENUS}/{menu['id']}", {"name": "renamed", "remark": "for spring"})
    assert renamed.status_code == 200 and renamed.json["name"] == "renamed"
    assert renamed.json["buttons"] == [BUTTONS_BY_TYPE["click"]]
    refused = api.put(f"{MENUS}/{menu['id']}", {"name": "x", "buttons": [{"type": "view", "name": "v"}]})
    assert refused.status_code == 422 and refused.json["error"]["details"][0]["field"] == "buttons.0.url"
    assert api.get(f"{MENUS}/{menu['id']}").json["buttons"] == [BUTTONS_BY_TYPE["click"]]
    replaced = api.put(f"{MENUS}/{menu['id']}", {"name": "x", "buttons": [BUTTONS_BY_TYPE["view"]]})
    assert replaced.status_code == 200 and replaced.json["remark"] is None
    assert api.delete(f"{MENUS}/{menu['id']}").status_code == 204
    assert api.get(f"{MENUS}/{menu['id']}").status_code == 404


def test_a_draft_that_became_invalid_is_not_published(runtime, api, worker):
    from models.wechat.menus import WeChatMenu

    with runtime.database.session() as session:
        menu = WeChatMenu(name="old", buttons=[{"type": "click", "name": "no key"}])
        session.add(menu)
        session.flush()
        menu_id = menu.id
    refused = api.post(f"{MENUS}/{menu_id}/publish")
    assert refused.status_code == 422 and refused.json["error"]["details"][0]["field"] == "buttons.0.key"
    assert job_count(runtime) == 0


def test_import_adds_the_live_menu_as_the_published_row(api, worker, control):
    buttons = [BUTTONS_BY_TYPE["click"], {"name": "菜单", "sub_button": [BUTTONS_BY_TYPE["view"]]}]
    mine = api.post(MENUS, {"name": "mine", "buttons": buttons}).json
    publish(api, mine["id"])
    job = api.run("post", f"{MENUS}/import", {"name": "from the platform"})
    assert job["status"] == "succeeded"
    [get] = journal(control, "menu/get")
    assert get["method"] == "GET" and set(get["query"]) == {"access_token"}
    imported = api.get(f"{MENUS}/{job['result']['menuId']}").json
    assert imported["name"] == "from the platform" and imported["published"] and imported["buttons"] == buttons
    assert not api.get(f"{MENUS}/{mine['id']}").json["published"]
    diff = api.get(f"{MENUS}/{mine['id']}/diff").json
    assert diff == {"menuId": mine["id"], "publishedId": imported["id"], "same": True, "changes": []}


def test_import_strips_the_empty_sub_button_lists_menu_get_adds(api, worker, control):
    from workers.jobs.wechat_menus import normalise_live

    live = [{"type": "click", "name": "a", "key": "k", "sub_button": []},
            {"name": "m", "sub_button": [{"type": "view", "name": "v", "url": "https://x", "sub_button": []}]}]
    assert normalise_live(live) == [{"type": "click", "name": "a", "key": "k"},
                                    {"name": "m", "sub_button": [{"type": "view", "name": "v", "url": "https://x"}]}]


def test_import_without_a_live_menu_publishes_nothing(api, worker):
    job = api.run("post", f"{MENUS}/import")
    assert job["status"] == "succeeded" and job["result"]["menuId"] is None
    assert api.get(MENUS).json["items"] == []
    assert api.get(f"{MENUS}/published").status_code == 404


def test_a_menu_made_in_the_console_is_imported_through_selfmenu_info(api, worker, control):
    made = control.post("/wechat/console-menu", json={})
    assert made.status_code == 201
    job = api.run("post", f"{MENUS}/import", {"name": "console"})
    assert job["status"] == "succeeded", job
    [get] = journal(control, "menu/get")
    assert get["response"]["errcode"] == 46003
    assert len(journal(control, "get_current_selfmenu_info")) == 1
    imported = api.get(f"{MENUS}/{job['result']['menuId']}").json
    assert imported["published"] and imported["buttons"] == [
        {"type": "click", "name": "联系我们", "key": "SELFMENU_TEXT_0"},
        {"name": "资料", "sub_button": [
            {"type": "view", "name": "官网", "url": "https://www.example.com/"},
            {"type": "media_id", "name": "最新文章", "media_id": "KQb_w_Tiz-nSdVLoTV35Psmty8hGBulGhEdbb9SKs-o"},
            {"type": "click", "name": "海报", "key": "SELFMENU_IMG_1_2"},
            {"type": "view", "name": "介绍视频", "url": "http://mp.weixin.qq.com/mp/video?vid=demo"}]}]
    review = {item["path"]: item for item in job["result"]["review"]}
    assert set(review) == {"0", "1.2", "1.3"}
    assert review["0"]["value"] == "客服电话 400-000-0000" and review["0"]["becameKey"] == "SELFMENU_TEXT_0"
    # The imported menu is a valid draft: publishing it makes it the API's menu (menu/get answers it now).
    publish(api, imported["id"])
    assert api.run("post", f"{MENUS}/import")["result"]["buttons"] == 2


def test_clear_deletes_the_live_menu_and_unpublishes(api, worker, control):
    menu = api.post(MENUS, {"name": "live", "buttons": [BUTTONS_BY_TYPE["click"]]}).json
    publish(api, menu["id"])
    job = api.run("post", f"{MENUS}/clear")
    assert job["status"] == "succeeded" and job["result"] == {"cleared": True, "unpublishedMenuId": menu["id"]}
    [delete] = journal(control, "menu/delete")
    assert delete["method"] == "GET" and delete["response"] == {"errcode": 0, "errmsg": "ok"}
    assert not api.get(f"{MENUS}/{menu['id']}").json["published"]
    assert api.run("post", f"{MENUS}/import")["result"]["menuId"] is None


def test_diff_of_a_draft_against_the_published_row(api, worker):
    live = api.post(MENUS, {"name": "live", "buttons": [
        BUTTONS_BY_TYPE["click"], {"name": "菜单", "sub_button": [BUTTONS_BY_TYPE["view"]]}]}).json
    draft = api.post(MENUS, {"name": "draft", "buttons": [
        dict(BUTTONS_BY_TYPE["click"], name="新歌"),
        {"name": "菜单", "sub_button": [BUTTONS_BY_TYPE["view"], BUTTONS_BY_TYPE["pic_weixin"]]},
        BUTTONS_BY_TYPE["location_select"]]}).json
    before = api.get(f"{MENUS}/{draft['id']}/diff").json
    assert before["publishedId"] is None and [c["path"] for c in before["changes"]] == [
        "buttons.0", "buttons.1", "buttons.2"]
    publish(api, live["id"])
    diff = api.get(f"{MENUS}/{draft['id']}/diff").json
    assert diff["publishedId"] == live["id"] and not diff["same"]
    assert diff["changes"] == [
        {"path": "buttons.0.name", "change": "changed", "published": "今日歌曲", "draft": "新歌"},
        {"path": "buttons.1.sub_button.1", "change": "added", "published": None,
         "draft": BUTTONS_BY_TYPE["pic_weixin"]},
        {"path": "buttons.2", "change": "added", "published": None, "draft": BUTTONS_BY_TYPE["location_select"]},
    ]


def test_a_platform_refusal_fails_the_publish_job_with_its_errcode(api, worker, control):
    control.post("/faults", json={"pattern": "/wechat/cgi-bin/menu/create", "kind": "errcode", "errcode": 40018,
                                  "errmsg": "invalid button name size", "times": 1}).raise_for_status()
    menu = api.post(MENUS, {"name": "m", "buttons": [BUTTONS_BY_TYPE["click"]]}).json
    job = publish(api, menu["id"])
    assert job["status"] == "failed" and job["errcode"] == 40018 and "invalid button name size" in job["error"]
    assert job["attempts"] == 1
    assert not api.get(f"{MENUS}/{menu['id']}").json["published"]
