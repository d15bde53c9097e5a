"""The SDK against the sandbox: each call succeeds and the journal shows the exact request PLATFORMS.md gives."""

from __future__ import annotations

import base64
import hashlib
import time

import httpx
import pytest

from config import demo, load_settings
from platforms.dingtalk import DingTalkClient, DingTalkRobot
from platforms.errors import PermanentError, RetryLaterError
from platforms.tokens import MemoryTokenStore
from platforms.wechat import WeChatAppletClient, WeChatClient, WeChatOpenClient
from platforms.wecom import WeComClient, WeComRobot, image_message
from sandbox.server import serve_in_thread
from sandbox.web_login import open_identity
from tests.wire_witness import dingtalk_robot_sign

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


@pytest.fixture(scope="module")
def sandbox():
    settings = load_settings(None, sandbox={"enabled": True})
    url, stop = serve_in_thread(settings, port=0)
    host, port = url.removeprefix("http://").split(":")
    settings = load_settings(None, sandbox={"enabled": True, "host": host, "port": int(port)})
    yield settings, httpx.Client(base_url=f"{url}/_sandbox")
    stop()


@pytest.fixture
def settings(sandbox):
    settings, control = sandbox
    control.post("/reset").raise_for_status()
    return settings


def wechat_client(settings) -> WeChatClient:
    w = settings.third.wechat
    return WeChatClient(w.app_id, w.app_secret, MemoryTokenStore(), api_base_url=w.api_base_url)


def applet_client(settings) -> WeChatAppletClient:
    a = settings.third.wechat_applet
    return WeChatAppletClient(a.app_id, a.app_secret, api_base_url=a.api_base_url)


def wecom_client(settings) -> WeComClient:
    w = settings.third.wecom
    return WeComClient(w.corp_id, w.corp_secret, w.agent_id, MemoryTokenStore(), api_base_url=w.api_base_url)


def dingtalk_client(settings) -> DingTalkClient:
    d = settings.third.ding_talk
    return DingTalkClient(d.app_key, d.app_secret, d.agent_id, MemoryTokenStore(), api_base_url=d.api_base_url)


@pytest.fixture
def journal(sandbox):
    control = sandbox[1]

    def entries(path: str) -> list[dict]:
        return control.get("/journal", params={"path": path}).json()["entries"]

    return entries


@pytest.fixture
def control(sandbox):
    return sandbox[1]


def test_wechat_menu_round_trip(settings, journal):
    client = wechat_client(settings)
    buttons = [{"type": "click", "name": "今日歌曲", "key": "V1001_TODAY_MUSIC"},
               {"name": "菜单", "sub_button": [{"type": "view", "name": "搜索", "url": "https://example.com/"}]}]
    client.menu.create(buttons)
    assert client.menu.get()["menu"]["button"][0]["key"] == "V1001_TODAY_MUSIC"
    client.menu.delete()
    assert client.menu.get() is None
    [create] = journal("/cgi-bin/menu/create")
    assert create["method"] == "POST" and create["json"] == {"button": buttons}
    assert create["query"]["access_token"]
    token_fetch = journal("/cgi-bin/stable_token")[0]
    assert token_fetch["json"] == {"grant_type": "client_credential", "appid": demo.WECHAT_APP_ID,
                                   "secret": demo.WECHAT_APP_SECRET, "force_refresh": False}


def test_wechat_templates_list_send_and_delete(settings, journal):
    client = wechat_client(settings)
    templates = client.templates.list_private()
    assert templates and {"template_id", "title", "content", "example"} <= set(templates[0])
    template_id = templates[0]["template_id"]
    msgid = client.templates.send("openid-1", template_id, {"first": "你好", "remark": {"value": "x", "color": "#f00"}},
                                  url="https://example.com/", client_msg_id="c-1")
    assert isinstance(msgid, int)
    [send] = journal("/message/template/send")
    assert send["json"] == {"touser": "openid-1", "template_id": template_id, "url": "https://example.com/",
                            "client_msg_id": "c-1",
                            "data": {"first": {"value": "你好"}, "remark": {"value": "x", "color": "#f00"}}}
    client.templates.delete(template_id)
    assert template_id not in {t["template_id"] for t in client.templates.list_private()}
    with pytest.raises(PermanentError) as unknown:
        client.templates.send("openid-1", "no-such-template", {"first": "x"})
    assert unknown.value.errcode == 40037


def test_wechat_customer_service_messages_and_typing_within_the_48_hour_window(settings, control, journal):
    client = wechat_client(settings)
    with pytest.raises(PermanentError) as closed:  # the follower never wrote: no window
        client.custom.typing("oWriter")
    assert closed.value.errcode == 45015
    control.post("/wechat/interactions", json={"openid": "oWriter"}).raise_for_status()
    client.custom.typing("oWriter")
    client.custom.send({"touser": "oWriter", "msgtype": "text", "text": {"content": "稍等 / one moment"}})
    client.custom.typing("oWriter", typing=False)
    assert [e["json"]["command"] for e in journal("/message/custom/typing")] == ["Typing", "Typing", "CancelTyping"]
    [send] = journal("/message/custom/send")
    assert send["json"] == {"touser": "oWriter", "msgtype": "text", "text": {"content": "稍等 / one moment"}}


def test_wechat_media_material_and_qrcode(settings, journal):
    client = wechat_client(settings)
    media_id = client.media.upload("image", "a.png", PNG, "image/png")
    assert media_id
    upload = journal("/cgi-bin/media/upload")[0]
    assert upload["query"]["type"] == "image" and upload["files"]["media"]["md5"] == hashlib.md5(PNG).hexdigest()
    added = client.material.add("video", "v.mp4", b"\x00" * 64, "video/mp4", title="t", introduction="i")
    add = journal("/material/add_material")[0]
    assert add["query"]["type"] == "video" and "description" in add["form"]
    assert client.material.count()["video_count"] == 1
    assert client.material.batchget("video", 0, 20)["item"][0]["media_id"] == added["media_id"]
    client.material.delete(added["media_id"])
    assert client.material.count()["video_count"] == 0
    code = client.qrcode.create_temporary("login_abc", 300)
    assert code["ticket"] and code["expire_seconds"] == 300
    assert journal("/qrcode/create")[0]["json"] == {
        "expire_seconds": 300, "action_name": "QR_STR_SCENE", "action_info": {"scene": {"scene_str": "login_abc"}}}


def test_applet_code_exchange(settings, control, journal):
    control.post("/wechat/jscodes", json={"code": "good-code", "openid": "o-applet"}).raise_for_status()
    session = applet_client(settings).jscode2session("good-code")
    assert session["openid"] == "o-applet"
    assert journal("/sns/jscode2session")[0]["query"]["grant_type"] == "authorization_code"
    with pytest.raises(PermanentError) as bad:
        applet_client(settings).jscode2session("good-code")  # a code works once
    assert bad.value.errcode == 40029


def _approved_code(page_url: str, **query: object) -> str:
    """The code the sandbox's sign-in page hands back after "approve as" (the browser's part, without one)."""
    back = httpx.get(f"{page_url}/approve", params={"redirect_uri": "https://site.example/cb", "state": "s1",
                                                    **query})
    assert back.status_code == 302, back.text
    return httpx.URL(back.headers["location"]).params["code"]


def test_open_platform_sign_in_code_exchange(settings, journal):
    o = settings.third.wechat_open
    client = WeChatOpenClient(o.app_id, o.app_secret, api_base_url=o.api_base_url)
    code = _approved_code(o.authorize_url, appid=o.app_id, scope="snsapi_login", response_type="code", user="al")
    grant = client.exchange_code(code)
    openid, unionid = open_identity(o.app_id, "al")
    assert grant["openid"] == openid and grant["unionid"] == unionid
    sent = journal("/sns/oauth2/access_token")[0]["query"]
    assert (sent["appid"], sent["code"], sent["grant_type"]) == (o.app_id, code, "authorization_code")
    assert client.userinfo(grant["access_token"], openid)["unionid"] == unionid
    with pytest.raises(PermanentError) as used:
        client.exchange_code(code)  # a code works once
    assert used.value.errcode == 40163


def test_wecom_web_login_code_exchange(settings, journal):
    w = settings.third.wecom
    code = _approved_code(w.login_url, appid=w.corp_id, agentid=w.agent_id, login_type="CorpApp", user="zhang")
    assert wecom_client(settings).auth_user(code)["userid"] == "zhang"
    assert journal("/cgi-bin/auth/getuserinfo")[0]["query"]["code"] == code
    with pytest.raises(PermanentError) as used:
        wecom_client(settings).auth_user(code)
    assert used.value.errcode == 40029


def test_wecom_app_message_media_and_robot(settings, control, journal):
    control.post("/config", json={"wecom_invalid_users": ["ghost"]}).raise_for_status()
    client = wecom_client(settings)
    result = client.messages.send({"touser": "alice|ghost", "msgtype": "text", "text": {"content": "hi"}})
    assert result["msgid"] and result["invaliduser"] == "ghost"
    send = journal("/cgi-bin/message/send")[0]
    assert send["json"]["agentid"] == demo.WECOM_AGENT_ID and send["json"]["msgtype"] == "text"
    assert journal("/cgi-bin/gettoken")[0]["query"]["corpid"] == demo.WECOM_CORP_ID
    client.messages.recall(result["msgid"])
    assert client.media.upload("file", "r.txt", b"report", "text/plain")

    robot = WeComRobot(settings.third.wecom.api_base_url)
    robot.send(demo.WECOM_ROBOT_KEY, image_message(PNG))
    image = journal("/cgi-bin/webhook/send")[0]["json"]["image"]
    assert image == {"base64": base64.b64encode(PNG).decode(), "md5": hashlib.md5(PNG).hexdigest()}
    media_id = robot.upload_media(demo.WECOM_ROBOT_KEY, "r.txt", b"report")
    robot.send(demo.WECOM_ROBOT_KEY, {"msgtype": "file", "file": {"media_id": media_id}})
    with pytest.raises(PermanentError) as unknown:
        robot.send("no-such-key", {"msgtype": "text", "text": {"content": "x"}})
    assert unknown.value.errcode == 93000


def test_dingtalk_work_notice_result_and_one_shot_media(settings, control, journal):
    control.post("/config", json={"dingtalk_forbidden_users": ["bob"]}).raise_for_status()
    client = dingtalk_client(settings)
    task_id = client.work_notices.send({"msgtype": "text", "text": {"content": "hello"}}, userid_list=["al", "bob"])
    send = journal("/asyncsend_v2")[0]
    assert send["json"] == {"agent_id": demo.DINGTALK_AGENT_ID, "userid_list": "al,bob",
                            "msg": {"msgtype": "text", "text": {"content": "hello"}}}
    assert "bob" in client.work_notices.result(task_id).get("forbidden_user_id_list", [])
    media_id = client.media.upload("image", "a.png", PNG, "image/png")
    image = {"msgtype": "image", "image": {"media_id": media_id}}
    client.work_notices.send(image, userid_list=["al"])
    with pytest.raises(PermanentError):
        client.work_notices.send(image, userid_list=["al"])  # the same media id a second time


def test_dingtalk_robot_signed_and_rate_limited(settings, control, journal):
    control.post("/config", json={"robot_rate_limit": 3, "robot_window_seconds": 60}).raise_for_status()
    robot = DingTalkRobot(settings.third.ding_talk.api_base_url)
    body = {"msgtype": "text", "text": {"content": "hi"}, "at": {"atMobiles": ["138"], "isAtAll": False}}
    for _ in range(3):
        robot.send(demo.DINGTALK_ROBOT_TOKEN, body, secret=demo.DINGTALK_ROBOT_SECRET)
    sent = journal("/robot/send")[0]
    timestamp = int(sent["query"]["timestamp"])
    assert abs(timestamp - time.time() * 1000) < 60_000
    assert sent["query"]["sign"] == dingtalk_robot_sign(demo.DINGTALK_ROBOT_SECRET, timestamp)
    assert sent["json"] == body
    with pytest.raises(RetryLaterError) as throttled:
        robot.send(demo.DINGTALK_ROBOT_TOKEN, body, secret=demo.DINGTALK_ROBOT_SECRET)
    assert throttled.value.errcode == 130101 and throttled.value.retry_after >= 60
    with pytest.raises(PermanentError) as unsigned:
        robot.send(demo.DINGTALK_ROBOT_TOKEN, body, secret="SECwrong")
    assert unsigned.value.errcode == 310000
