"""The WeChat Official Account endpoints: real answer shapes, platform checks, journal entries."""

from __future__ import annotations

import json

import pytest
from falcon.testing import TestClient

from sandbox.wechat.seeds import APPROVAL_TEMPLATE_ID, CONSOLE_MENU, LOGIN_TEMPLATE_ID
from tests.sandbox.conftest import errcode, last_entry, multipart

JPEG = b"\xff\xd8\xff\xe0" + b"0" * 100


@pytest.fixture
def token(wechat_token) -> str:
    return wechat_token()


def post(client: TestClient, path: str, token: str, body, **params):
    return client.simulate_post(f"/wechat{path}", params={"access_token": token, **params}, json=body)


def get(client: TestClient, path: str, token: str, **params):
    return client.simulate_get(f"/wechat{path}", params={"access_token": token, **params})


MENU = {"button": [
    {"type": "click", "name": "今日歌曲", "key": "V1001_TODAY_MUSIC"},
    {"name": "菜单", "sub_button": [
        {"type": "view", "name": "搜索", "url": "http://www.soso.com/"},
        {"type": "miniprogram", "name": "wxa", "url": "http://mp.weixin.qq.com", "appid": "wx286b93c14bbf93aa",
         "pagepath": "pages/lunar/index"},
    ]},
]}


def test_qrcode_create_answers_ticket_expiry_and_url(client, token):
    body = {"expire_seconds": 300000, "action_name": "QR_STR_SCENE",
            "action_info": {"scene": {"scene_str": "login_abc"}}}
    answer = post(client, "/cgi-bin/qrcode/create", token, body).json
    assert set(answer) == {"ticket", "expire_seconds", "url"}
    assert answer["expire_seconds"] == 300000
    assert answer["url"].startswith("http://weixin.qq.com/q/")
    assert last_entry(client, "qrcode/create")["json"] == body
    listed = client.simulate_get("/_sandbox/wechat/qrcodes", params={"scene": "login_abc"}).json["qrcodes"]
    assert [q["ticket"] for q in listed] == [answer["ticket"]]
    image = client.simulate_get("/wechat/cgi-bin/showqrcode", params={"ticket": answer["ticket"]})
    assert image.headers["content-type"] == "image/png" and image.content.startswith(b"\x89PNG")


def test_qrcode_limits(client, token):
    too_long = {"action_name": "QR_STR_SCENE", "action_info": {"scene": {"scene_str": "x" * 65}}}
    assert errcode(post(client, "/cgi-bin/qrcode/create", token, too_long)) == 40097
    capped = {"expire_seconds": 9_999_999, "action_name": "QR_STR_SCENE",
              "action_info": {"scene": {"scene_str": "s"}}}
    assert post(client, "/cgi-bin/qrcode/create", token, capped).json["expire_seconds"] == 2_592_000


def test_menu_create_get_selfmenu_delete(client, token):
    assert post(client, "/cgi-bin/menu/create", token, MENU).json == {"errcode": 0, "errmsg": "ok"}
    assert get(client, "/cgi-bin/menu/get", token).json == {"menu": MENU}
    self_menu = get(client, "/cgi-bin/get_current_selfmenu_info", token).json
    assert self_menu["is_menu_open"] == 1
    assert self_menu["selfmenu_info"]["button"][1]["sub_button"]["list"][0]["url"] == "http://www.soso.com/"
    assert errcode(get(client, "/cgi-bin/menu/delete", token)) == 0
    assert errcode(get(client, "/cgi-bin/menu/get", token)) == 46003
    assert last_entry(client, "menu/create")["json"] == MENU
    closed = get(client, "/cgi-bin/get_current_selfmenu_info", token).json
    assert closed == {"is_menu_open": 0, "selfmenu_info": {"button": []}}


def test_a_console_made_menu_is_46003_on_menu_get_and_shown_by_selfmenu(client, token):
    made = client.simulate_post("/_sandbox/wechat/console-menu", json={})
    assert made.status_code == 201 and made.json["button"] == CONSOLE_MENU
    assert errcode(get(client, "/cgi-bin/menu/get", token)) == 46003
    self_menu = get(client, "/cgi-bin/get_current_selfmenu_info", token).json
    assert self_menu == {"is_menu_open": 1, "selfmenu_info": {"button": CONSOLE_MENU}}
    # A menu made through the API replaces the console's, as on the platform.
    assert post(client, "/cgi-bin/menu/create", token, MENU).json["errcode"] == 0
    button = get(client, "/cgi-bin/get_current_selfmenu_info", token).json["selfmenu_info"]["button"]
    assert button[0]["name"] == MENU["button"][0]["name"]
    assert client.simulate_post("/_sandbox/wechat/console-menu", json={"button": "x"}).status_code == 400


@pytest.mark.parametrize(("menu", "code"), [
    ({"button": [{"type": "click", "name": f"b{i}", "key": "k"} for i in range(4)]}, 40016),
    ({"button": []}, 40016),
    ({"button": [{"type": "bogus", "name": "b", "key": "k"}]}, 40017),
    ({"button": [{"type": "click", "name": "一二三四五六", "key": "k"}]}, 40018),
    ({"button": [{"type": "click", "name": "b", "key": "k" * 129}]}, 40019),
    ({"button": [{"type": "view", "name": "b", "url": "http://x/" + "u" * 1024}]}, 40020),
    ({"button": [{"name": "m", "sub_button": [{"type": "click", "name": "s", "key": "k"}] * 6}]}, 40023),
    ({"button": [{"name": "m", "sub_button": [{"type": "click", "name": "长" * 21, "key": "k"}]}]}, 40025),
])
def test_menu_limits(client, token, menu, code):
    assert errcode(post(client, "/cgi-bin/menu/create", token, menu)) == code


def test_private_templates_are_seeded_and_deletable(client, token):
    templates = get(client, "/cgi-bin/template/get_all_private_template", token).json["template_list"]
    login = next(t for t in templates if t["template_id"] == LOGIN_TEMPLATE_ID)
    assert set(login) == {"template_id", "title", "primary_industry", "deputy_industry", "content", "example"}
    assert "{{first.DATA}}" in login["content"]
    body = {"template_id": LOGIN_TEMPLATE_ID}
    assert errcode(post(client, "/cgi-bin/template/del_private_template", token, body)) == 0
    assert errcode(post(client, "/cgi-bin/template/del_private_template", token, body)) == 40037
    assert last_entry(client, "del_private_template")["json"] == body


def test_template_send_answers_msgid_and_records_delivery(client, token):
    body = {"touser": "oUser1", "template_id": LOGIN_TEMPLATE_ID, "url": "https://example.com",
            "data": {"first": {"value": "hi"}, "keyword1": {"value": "admin", "color": "#173177"}}}
    answer = post(client, "/cgi-bin/message/template/send", token, body).json
    assert answer["errcode"] == 0 and isinstance(answer["msgid"], int)
    assert last_entry(client, "template/send")["response"] == answer
    deliveries = client.simulate_get("/_sandbox/deliveries", params={"channel": "template"}).json["deliveries"]
    assert deliveries[-1]["delivered"] == ["oUser1"]


def test_template_send_checks(client, token):
    base = {"touser": "oUser1", "template_id": APPROVAL_TEMPLATE_ID,
            "data": {"thing1": {"value": "请假"}, "thing2": {"value": "张三"}, "time3": {"value": "2024-05-01"},
                     "character_string4": {"value": "AP1"}}}
    assert errcode(post(client, "/cgi-bin/message/template/send", token, base)) == 0
    unknown = {**base, "template_id": "nope"}
    assert errcode(post(client, "/cgi-bin/message/template/send", token, unknown)) == 40037
    too_long = {**base, "data": {**base["data"], "thing1": {"value": "字" * 21}}}
    answer = post(client, "/cgi-bin/message/template/send", token, too_long).json
    assert answer["errcode"] == 47003 and "data.thing1.value" in answer["errmsg"]
    bad_shape = {**base, "data": {"thing1": "plain string"}}
    assert errcode(post(client, "/cgi-bin/message/template/send", token, bad_shape)) == 47003
    client.simulate_post("/_sandbox/config", json={"wechat_non_followers": ["oGone"]})
    gone = {**base, "touser": "oGone"}
    assert errcode(post(client, "/cgi-bin/message/template/send", token, gone)) == 43004


def test_template_send_client_msg_id_sends_once(client, token):
    body = {"touser": "oUser1", "template_id": LOGIN_TEMPLATE_ID, "client_msg_id": "job-1", "data": {}}
    first = post(client, "/cgi-bin/message/template/send", token, body).json
    second = post(client, "/cgi-bin/message/template/send", token, body).json
    assert first["msgid"] == second["msgid"]
    assert len(client.simulate_get("/_sandbox/deliveries").json["deliveries"]) == 1


def upload(client, path, token, media_type, filename, data=JPEG, form=None):
    return client.simulate_post(f"/wechat{path}", params={"access_token": token, "type": media_type},
                                **multipart({"media": (filename, data, "application/octet-stream")}, form))


def test_temporary_media_upload_shape_and_journal(client, token):
    answer = upload(client, "/cgi-bin/media/upload", token, "image", "a.jpg").json
    assert set(answer) == {"type", "media_id", "created_at"} and isinstance(answer["created_at"], int)
    files = last_entry(client, "media/upload")["files"]
    assert files["media"]["filename"] == "a.jpg" and files["media"]["size"] == len(JPEG)
    thumb = upload(client, "/cgi-bin/media/upload", token, "thumb", "t.jpg").json
    assert "thumb_media_id" in thumb and "media_id" not in thumb


def test_temporary_media_checks(client, token):
    assert errcode(upload(client, "/cgi-bin/media/upload", token, "picture", "a.jpg")) == 40004
    assert errcode(upload(client, "/cgi-bin/media/upload", token, "image", "a.txt")) == 40005
    big = b"0" * (64 * 1024 + 1)
    assert errcode(upload(client, "/cgi-bin/media/upload", token, "thumb", "t.jpg", big)) == 40006


def test_material_add_list_count_delete(client, token):
    image = upload(client, "/cgi-bin/material/add_material", token, "image", "p.png").json
    assert set(image) == {"media_id", "url"}
    video_desc = json.dumps({"title": "demo", "introduction": "a video"})
    video = upload(client, "/cgi-bin/material/add_material", token, "video", "v.mp4", form={
        "description": video_desc}).json
    assert set(video) == {"media_id"}
    assert errcode(upload(client, "/cgi-bin/material/add_material", token, "video", "v.mp4")) != 0
    assert last_entry(client, "add_material")["form"] == {}

    listed = post(client, "/cgi-bin/material/batchget_material", token,
                  {"type": "image", "offset": 0, "count": 20}).json
    assert listed["total_count"] == 1 and listed["item_count"] == 1
    assert set(listed["item"][0]) == {"media_id", "name", "update_time", "url"}
    assert errcode(post(client, "/cgi-bin/material/batchget_material", token,
                        {"type": "image", "offset": 0, "count": 21})) == 47001

    counts = get(client, "/cgi-bin/material/get_materialcount", token).json
    assert counts == {"voice_count": 0, "video_count": 1, "image_count": 1, "news_count": 0}
    body = {"media_id": image["media_id"]}
    assert errcode(post(client, "/cgi-bin/material/del_material", token, body)) == 0
    assert errcode(post(client, "/cgi-bin/material/del_material", token, body)) == 40007


def test_jscode2session_works_once(client, settings):
    params = {"appid": settings.third.wechat_applet.app_id, "secret": settings.third.wechat_applet.app_secret,
              "js_code": "code-1", "grant_type": "authorization_code"}
    answer = client.simulate_get("/wechat/sns/jscode2session", params=params).json
    assert set(answer) == {"openid", "session_key"} and answer["openid"].startswith("o")
    assert errcode(client.simulate_get("/wechat/sns/jscode2session", params=params)) == 40029
    assert last_entry(client, "jscode2session")["query"]["js_code"] == "code-1"


def test_jscode2session_registered_codes(client, settings):
    client.simulate_post("/_sandbox/wechat/jscodes", json={"code": "c2", "openid": "oPinned", "unionid": "u1"})
    client.simulate_post("/_sandbox/wechat/jscodes", json={"code": "risky", "errcode": 40226})
    params = {"appid": settings.third.wechat_applet.app_id, "secret": settings.third.wechat_applet.app_secret,
              "grant_type": "authorization_code"}
    answer = client.simulate_get("/wechat/sns/jscode2session", params={**params, "js_code": "c2"}).json
    assert answer["openid"] == "oPinned" and answer["unionid"] == "u1"
    assert errcode(client.simulate_get("/wechat/sns/jscode2session", params={**params, "js_code": "risky"})) == 40226
    wrong_app = {**params, "appid": settings.third.wechat.app_id, "secret": settings.third.wechat.app_secret,
                 "js_code": "c3"}
    assert errcode(client.simulate_get("/wechat/sns/jscode2session", params=wrong_app)) == 40013
