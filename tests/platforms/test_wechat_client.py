import json

import pytest

from platforms.errors import PermanentError, RetryLaterError
from platforms.tokens import MemoryTokenStore
from platforms.wechat import WeChatAppletClient, WeChatClient, qrcode_image_url
from tests.platforms.fakes import FakePlatform, json_body, multipart

BASE = "/prefix"
TOKEN_ANSWER = {"access_token": "AT", "expires_in": 7200}
OK = {"errcode": 0, "errmsg": "ok"}


def make(fake: FakePlatform, **overrides) -> tuple[WeChatClient, MemoryTokenStore]:
    store = MemoryTokenStore()
    client = WeChatClient("wx1", "s3cret", store, transport=fake.transport("wechat"), **overrides)
    return client, store


def routes(path: str, answer) -> FakePlatform:
    return FakePlatform(routes={f"{BASE}/cgi-bin/stable_token": TOKEN_ANSWER, f"{BASE}{path}": answer})


def test_stable_token_is_the_default():
    fake = FakePlatform(TOKEN_ANSWER)
    client, _ = make(fake)
    grant = client.fetch_token()
    assert (grant.access_token, grant.expires_in) == ("AT", 7200)
    request = fake.requests[0]
    assert (request.method, request.url.path) == ("POST", f"{BASE}/cgi-bin/stable_token")
    assert json_body(request) == {
        "grant_type": "client_credential",
        "appid": "wx1",
        "secret": "s3cret",
        "force_refresh": False,
    }
    assert "access_token" not in request.url.params


def test_classic_token_mode_uses_get():
    fake = FakePlatform(TOKEN_ANSWER)
    client, _ = make(fake, token_mode="classic")
    client.fetch_token()
    request = fake.requests[0]
    assert (request.method, request.url.path) == ("GET", f"{BASE}/cgi-bin/token")
    assert dict(request.url.params) == {"grant_type": "client_credential", "appid": "wx1", "secret": "s3cret"}


def test_token_fetch_error_raises_once():
    fake = FakePlatform({"errcode": 40164, "errmsg": "invalid ip"})
    client, _ = make(fake)
    with pytest.raises(PermanentError):
        client.menu.get_current_selfmenu_info()
    assert len(fake.requests) == 1


def test_unconfigured_account_fails_permanently():
    client = WeChatClient(None, None, MemoryTokenStore(), transport=FakePlatform().transport("wechat"))
    with pytest.raises(PermanentError, match="not configured"):
        client.fetch_token()


def test_token_is_stored_under_the_app_key_and_reused():
    fake = routes("/cgi-bin/get_current_selfmenu_info", {"is_menu_open": 1})
    client, store = make(fake)
    client.menu.get_current_selfmenu_info()
    client.menu.get_current_selfmenu_info()
    assert client.app_key == "wechat:wx1"
    assert store.fetch_count == {"wechat:wx1": 1}
    assert fake.last(f"{BASE}/cgi-bin/get_current_selfmenu_info").url.params["access_token"] == "AT"


def test_menu_create_posts_buttons():
    fake = routes("/cgi-bin/menu/create", OK)
    client, _ = make(fake)
    buttons = [{"type": "click", "name": "今日", "key": "V1001"}]
    client.menu.create(buttons)
    request = fake.last(f"{BASE}/cgi-bin/menu/create")
    assert request.method == "POST" and json_body(request) == {"button": buttons}


def test_menu_get_and_no_menu():
    fake = routes("/cgi-bin/menu/get", {"menu": {"button": []}})
    client, _ = make(fake)
    assert client.menu.get() == {"menu": {"button": []}}
    assert fake.last(f"{BASE}/cgi-bin/menu/get").method == "GET"
    fake.routes[f"{BASE}/cgi-bin/menu/get"] = {"errcode": 46003, "errmsg": "menu no exist"}
    assert client.menu.get() is None


def test_menu_delete_is_a_get():
    fake = routes("/cgi-bin/menu/delete", OK)
    client, _ = make(fake)
    client.menu.delete()
    assert fake.last(f"{BASE}/cgi-bin/menu/delete").method == "GET"


def test_templates_list_and_delete():
    template = {"template_id": "T1", "title": "t", "content": "{{first.DATA}}"}
    fake = routes("/cgi-bin/template/get_all_private_template", {"template_list": [template]})
    fake.routes[f"{BASE}/cgi-bin/template/del_private_template"] = OK
    client, _ = make(fake)
    assert client.templates.list_private() == [template]
    client.templates.delete("T1")
    request = fake.last(f"{BASE}/cgi-bin/template/del_private_template")
    assert request.method == "POST" and json_body(request) == {"template_id": "T1"}


def test_template_send_shape_and_msgid():
    fake = routes("/cgi-bin/message/template/send", {"errcode": 0, "errmsg": "ok", "msgid": 200228332})
    client, _ = make(fake)
    msgid = client.templates.send(
        "oUser",
        "T1",
        {"first": {"value": "Hello", "color": "#173177"}, "remark": "bare"},
        url="https://example.test",
        miniprogram={"appid": "wxmini", "pagepath": "index"},
        client_msg_id="job-1",
    )
    assert msgid == 200228332
    assert json_body(fake.last(f"{BASE}/cgi-bin/message/template/send")) == {
        "touser": "oUser",
        "template_id": "T1",
        "data": {"first": {"value": "Hello", "color": "#173177"}, "remark": {"value": "bare"}},
        "url": "https://example.test",
        "miniprogram": {"appid": "wxmini", "pagepath": "index"},
        "client_msg_id": "job-1",
    }


def test_template_send_omits_optional_fields():
    fake = routes("/cgi-bin/message/template/send", {"errcode": 0, "msgid": 1})
    client, _ = make(fake)
    client.templates.send("oUser", "T1", {"first": "x"})
    assert set(json_body(fake.last(f"{BASE}/cgi-bin/message/template/send"))) == {"touser", "template_id", "data"}


def test_template_send_to_non_follower_is_permanent():
    fake = routes("/cgi-bin/message/template/send", {"errcode": 43004, "errmsg": "require subscribe"})
    client, _ = make(fake)
    with pytest.raises(PermanentError) as info:
        client.templates.send("oUser", "T1", {})
    assert info.value.errcode == 43004


def test_media_upload_is_multipart():
    fake = routes("/cgi-bin/media/upload", {"type": "image", "media_id": "MID", "created_at": 1})
    client, _ = make(fake)
    assert client.media.upload("image", "a.png", b"\x89PNG", "image/png") == "MID"
    request = fake.last(f"{BASE}/cgi-bin/media/upload")
    assert request.method == "POST" and request.url.params["type"] == "image"
    assert multipart(request) == {"media": ("a.png", b"\x89PNG", "image/png")}


def test_thumb_upload_answers_thumb_media_id():
    fake = routes("/cgi-bin/media/upload", {"type": "thumb", "thumb_media_id": "TH", "created_at": 1})
    client, _ = make(fake)
    assert client.media.upload("thumb", "t.jpg", b"x", "image/jpeg") == "TH"


def test_media_kind_is_checked():
    client, _ = make(FakePlatform())
    with pytest.raises(ValueError):
        client.media.upload("file", "a", b"", "x")


def test_material_add_video_sends_description_part():
    fake = routes("/cgi-bin/material/add_material", {"media_id": "M"})
    client, _ = make(fake)
    assert client.material.add("video", "v.mp4", b"vid", "video/mp4", title="标题", introduction="intro") == {
        "media_id": "M"
    }
    request = fake.last(f"{BASE}/cgi-bin/material/add_material")
    assert request.url.params["type"] == "video"
    parts = multipart(request)
    assert parts["media"] == ("v.mp4", b"vid", "video/mp4")
    assert json.loads(parts["description"][1]) == {"title": "标题", "introduction": "intro"}


def test_material_add_image_returns_url():
    fake = routes("/cgi-bin/material/add_material", {"media_id": "M", "url": "http://mmbiz/x"})
    client, _ = make(fake)
    assert client.material.add("image", "a.png", b"p", "image/png") == {"media_id": "M", "url": "http://mmbiz/x"}
    assert set(multipart(fake.last(f"{BASE}/cgi-bin/material/add_material"))) == {"media"}


def test_material_delete_batchget_count():
    fake = FakePlatform(
        routes={
            f"{BASE}/cgi-bin/stable_token": TOKEN_ANSWER,
            f"{BASE}/cgi-bin/material/del_material": OK,
            f"{BASE}/cgi-bin/material/batchget_material": {"total_count": 1, "item_count": 1, "item": [{}]},
            f"{BASE}/cgi-bin/material/get_materialcount": {"image_count": 3},
        }
    )
    client, _ = make(fake)
    client.material.delete("M")
    assert json_body(fake.last(f"{BASE}/cgi-bin/material/del_material")) == {"media_id": "M"}
    assert client.material.batchget("image", offset=20, count=20)["total_count"] == 1
    assert json_body(fake.last(f"{BASE}/cgi-bin/material/batchget_material")) == {
        "type": "image",
        "offset": 20,
        "count": 20,
    }
    assert client.material.count() == {"image_count": 3}
    assert fake.last(f"{BASE}/cgi-bin/material/get_materialcount").method == "GET"
    with pytest.raises(ValueError):
        client.material.batchget("image", count=21)


def test_qrcode_create_temporary():
    fake = routes(
        "/cgi-bin/qrcode/create", {"ticket": "gQ+/=", "expire_seconds": 300, "url": "http://weixin.qq.com/q/x"}
    )
    client, _ = make(fake)
    assert client.qrcode.create_temporary("login:abc", 300) == {
        "ticket": "gQ+/=",
        "expire_seconds": 300,
        "url": "http://weixin.qq.com/q/x",
    }
    assert json_body(fake.last(f"{BASE}/cgi-bin/qrcode/create")) == {
        "expire_seconds": 300,
        "action_name": "QR_STR_SCENE",
        "action_info": {"scene": {"scene_str": "login:abc"}},
    }


@pytest.mark.parametrize(("scene", "expire"), [("", 60), ("x" * 65, 60), ("ok", 2592001), ("ok", 0)])
def test_qrcode_limits(scene, expire):
    client, _ = make(FakePlatform())
    with pytest.raises(ValueError):
        client.qrcode.create_temporary(scene, expire)


def test_qrcode_image_url_encodes_ticket():
    assert qrcode_image_url("gQ+/=") == "https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=gQ%2B%2F%3D"


def test_expired_token_mid_session_is_refreshed_once():
    fake = FakePlatform(
        {"errcode": 40001, "errmsg": "invalid credential"},
        {"errcode": 0, "errmsg": "ok", "msgid": 5},
        routes={f"{BASE}/cgi-bin/stable_token": TOKEN_ANSWER},
    )
    client, store = make(fake)
    assert client.templates.send("oUser", "T1", {}) == 5
    assert store.fetch_count == {"wechat:wx1": 2}


def applet(fake: FakePlatform) -> WeChatAppletClient:
    return WeChatAppletClient("wxmini", "ms", transport=fake.transport("wechat"))


def test_jscode2session_shape():
    fake = FakePlatform({"openid": "o1", "session_key": "SK", "unionid": "u1"})
    assert applet(fake).jscode2session("CODE") == {"openid": "o1", "session_key": "SK", "unionid": "u1"}
    request = fake.requests[0]
    assert (request.method, request.url.path) == ("GET", f"{BASE}/sns/jscode2session")
    assert dict(request.url.params) == {
        "appid": "wxmini",
        "secret": "ms",
        "js_code": "CODE",
        "grant_type": "authorization_code",
    }


def test_jscode2session_without_unionid():
    fake = FakePlatform({"openid": "o1", "session_key": "SK"})
    assert applet(fake).jscode2session("CODE") == {"openid": "o1", "session_key": "SK"}


@pytest.mark.parametrize(("errcode", "cls"), [(40029, PermanentError), (40226, PermanentError), (-1, RetryLaterError)])
def test_jscode2session_errors(errcode, cls):
    with pytest.raises(cls):
        applet(FakePlatform({"errcode": errcode, "errmsg": "x"})).jscode2session("CODE")
