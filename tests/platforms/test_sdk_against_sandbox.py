"""The SDK against the sandbox: each call succeeds and the journal shows the exact request PLATFORMS.md gives."""

from __future__ import annotations

import base64
import functools
import hashlib
import time

import httpx
import pytest

from config import demo, load_settings
from platforms.dingtalk import DingTalkClient, DingTalkRobot
from platforms.errors import PermanentError, RetryLaterError, TokenExpiredError
from platforms.tokens import MemoryTokenStore
from platforms.wechat import CLIENTMSGID_EXISTS, WeChatAppletClient, WeChatClient, WeChatOpenClient
from platforms.wecom import WeComClient, WeComRobot, image_message
from sandbox.web_login import dingtalk_identity, open_identity
from sandbox.wechat.seeds import APPLET_SUBSCRIBE_TEMPLATE_ID, SUBSCRIBE_TEMPLATE_ID
from tests import sandbox_support
from tests.wire_witness import dingtalk_robot_sign

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


@pytest.fixture
def settings(sandbox, control):
    """The demo apps' settings, their APIs served by the (reset) sandbox."""
    return load_settings(None, sandbox=sandbox.section)


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
def journal(control):
    return functools.partial(sandbox_support.journal, control)


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


def test_wechat_follower_list_pages_by_next_openid_until_the_empty_page(settings, control, journal):
    followers = [f"oFan{n:02d}" for n in range(5)]
    control.post("/config", json={"wechat_followers": followers, "wechat_follower_page_size": 2}).raise_for_status()
    pages = list(wechat_client(settings).followers.pages())
    assert [page.openids for page in pages] == [followers[0:2], followers[2:4], followers[4:5]]
    assert {page.total for page in pages} == {5}
    # WeChat names the last openid of every page, and answers the page after the last one empty
    assert [e["query"].get("next_openid") for e in journal("/cgi-bin/user/get")] == [None, "oFan01", "oFan03", "oFan04"]


def test_wechat_tag_followers_page_the_same_way(settings, control, journal):
    client = wechat_client(settings)
    tag_id = client.followers.create_tag("分页")["id"]
    client.followers.tag(tag_id, ["oT1", "oT2", "oT3"])
    control.post("/config", json={"wechat_follower_page_size": 2}).raise_for_status()
    assert [page.openids for page in client.followers.tag_pages(tag_id)] == [["oT1", "oT2"], ["oT3"]]
    assert [e["json"] for e in journal("/cgi-bin/user/tag/get")] == [
        {"tagid": tag_id, "next_openid": ""}, {"tagid": tag_id, "next_openid": "oT2"},
        {"tagid": tag_id, "next_openid": "oT3"}]
    with pytest.raises(PermanentError) as unknown:
        client.followers.tag_page(tag_id + 1)
    assert unknown.value.errcode == 45159


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


def test_dingtalk_sign_in_code_exchange(settings, journal):
    d = settings.third.ding_talk
    back = httpx.get(f"{d.login_url}/approve", params={
        "client_id": d.app_key, "response_type": "code", "scope": "openid corpid", "prompt": "consent",
        "redirect_uri": "https://site.example/cb", "state": "s1", "user": "li"})
    assert back.status_code == 302, back.text
    sent_back = httpx.URL(back.headers["location"]).params
    assert sent_back["state"] == "s1" and "code" not in sent_back  # DingTalk names it authCode
    code = sent_back["authCode"]
    sign_in = dingtalk_client(settings).sign_in
    grant = sign_in.exchange_code(code)
    assert grant.expire_in == 7200 and grant.refresh_token and grant.corp_id  # corpid was in the scope
    assert grant.access_token not in repr(grant)
    open_id, union_id = dingtalk_identity(d.app_key, "li")
    assert sign_in.me(grant.access_token) == {"nick": "li", "unionId": union_id, "openId": open_id}
    assert journal("/v1.0/contact/users/me")[0]["response"]["unionId"] == union_id
    with pytest.raises(PermanentError) as used:
        sign_in.exchange_code(code)  # a code works once
    assert used.value.code == "invalidParameter.authCode.notFound"


def test_dingtalk_sign_in_refusals(settings, journal):
    d = settings.third.ding_talk
    wrong = DingTalkClient(d.app_key, "not-the-apps-dingtalk-secret", d.agent_id, MemoryTokenStore(),
                           api_base_url=d.api_base_url)
    with pytest.raises(PermanentError) as refused:
        wrong.sign_in.exchange_code("any-code")
    assert refused.value.code == "invalidClientIdOrSecret"
    with pytest.raises(TokenExpiredError):
        wrong.sign_in.me("not-a-user-token")
    assert len(journal("/v1.0/contact/users/me")) == 1  # a user's token is not retried: there is no other one
    app_token = dingtalk_client(settings).v1_token.get()
    with pytest.raises(TokenExpiredError):
        wrong.sign_in.me(app_token)  # the app's token names no user


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


ORDER = {"character_string1": {"value": "20240501001"}, "amount2": {"value": "¥99.00"},
         "thing3": {"value": "年度会员"}, "date4": {"value": "2024年5月1日 10:00"}}


def test_the_official_account_lists_and_sends_its_subscription_templates(settings, journal):
    client = wechat_client(settings)
    [template] = client.subscribe.templates()
    assert template["priTmplId"] == SUBSCRIBE_TEMPLATE_ID and "{{thing1.DATA}}" in template["content"]
    message = {"touser": "oSub", "template_id": SUBSCRIBE_TEMPLATE_ID, "page": "pages/index",
               "data": {"thing1": {"value": "打印机故障"}, "phrase2": {"value": "已完成"},
                        "time3": {"value": "2024-05-01 10:00"}}}
    client.subscribe.send(message)
    [send] = journal("/cgi-bin/message/subscribe/bizsend")
    assert send["json"] == message


def test_the_mini_program_has_its_own_token_and_templates(settings, journal):
    client = applet_client(settings)
    [template] = client.subscribe.templates()
    assert template["priTmplId"] == APPLET_SUBSCRIBE_TEMPLATE_ID
    client.subscribe.send({"touser": "oApplet", "template_id": APPLET_SUBSCRIBE_TEMPLATE_ID, "data": ORDER,
                           "miniprogram_state": "trial", "lang": "zh_CN"})
    [fetch] = journal("/cgi-bin/stable_token")
    assert fetch["json"]["appid"] == settings.third.wechat_applet.app_id
    [send] = journal("/cgi-bin/message/subscribe/send")
    assert send["query"]["access_token"] == fetch["response"]["access_token"]
    with pytest.raises(PermanentError) as other:  # the Official Account's endpoint refuses the mini-program
        client.transport.request("POST", "/cgi-bin/message/subscribe/bizsend", token=client.token, json={})
    assert other.value.errcode == 48001


@pytest.mark.parametrize(("key", "value"), [("thing3", "一" * 21), ("amount2", "ninety"), ("date4", "tomorrow"),
                                            ("character_string1", "x" * 33)])
def test_a_value_breaking_its_keys_rule_is_47003(settings, key, value):
    with pytest.raises(PermanentError) as refused:
        applet_client(settings).subscribe.send({"touser": "oApplet", "template_id": APPLET_SUBSCRIBE_TEMPLATE_ID,
                                                "data": {**ORDER, key: {"value": value}}})
    assert refused.value.errcode == 47003


def test_a_user_who_did_not_subscribe_is_43101(settings, control):
    control.post("/config", json={"wechat_unsubscribed": ["oRefused"]}).raise_for_status()
    with pytest.raises(PermanentError) as refused:
        applet_client(settings).subscribe.send({"touser": "oRefused", "template_id": APPLET_SUBSCRIBE_TEMPLATE_ID,
                                                "data": ORDER})
    assert refused.value.errcode == 43101


def test_mass_sends_to_all_to_openids_read_back_and_deleted(settings, journal):
    client = wechat_client(settings)
    text = {"msgtype": "text", "text": {"content": "本周活动 / this week"}}
    sent = client.mass.send_to_all(text, clientmsgid="m-1")
    assert isinstance(sent["msg_id"], int)
    [sendall] = journal("/cgi-bin/message/mass/sendall")
    assert sendall["json"] == {"filter": {"is_to_all": True}, **text, "clientmsgid": "m-1"}
    with pytest.raises(PermanentError) as again:
        client.mass.send_to_all(text, clientmsgid="m-1")
    assert again.value.errcode == CLIENTMSGID_EXISTS
    by_openid = client.mass.send_to_openids(["oA", "oB"], text)
    assert client.mass.get(by_openid["msg_id"])["msg_status"] == "SEND_SUCCESS"
    client.mass.delete(by_openid["msg_id"])
    assert client.mass.get(by_openid["msg_id"])["msg_status"] == "DELETE"
    with pytest.raises(PermanentError) as one:
        client.mass.send_to_openids(["oA"], text)
    assert one.value.errcode == 40130
    with pytest.raises(PermanentError) as no_tag:
        client.mass.send_to_all(text, tag_id=9999)
    assert no_tag.value.errcode == 40050


def test_published_articles_and_drafts_page_by_page(settings, journal):
    client = wechat_client(settings)
    first = client.publications.published(0, 20)
    rest = client.publications.published(20, 20)
    assert first["total_count"] == 25 and first["item_count"] == 20 and rest["item_count"] == 5
    assert "content" not in first["item"][0]["content"]["news_item"][0]  # no_content by default
    with_content = client.publications.published(0, 1, no_content=False)
    assert with_content["item"][0]["content"]["news_item"][0]["content"]
    drafts = client.publications.drafts()
    assert drafts["item"][0]["media_id"] and len(drafts["item"][0]["content"]["news_item"]) == 2
    assert journal("/cgi-bin/freepublish/batchget")[0]["json"] == {"offset": 0, "count": 20, "no_content": 1}


def test_dingtalk_v1_token_and_enterprise_robot(settings, sandbox):
    _, control = sandbox
    store = MemoryTokenStore()
    d = settings.third.ding_talk
    client = DingTalkClient(d.app_key, d.app_secret, d.agent_id, store, api_base_url=d.api_base_url)
    key = client.enterprise_robot.send_to_group(d.app_key, "cid7", "sampleText", {"content": "你好"})
    assert key
    result = client.enterprise_robot.send_to_users(d.app_key, ["u1", "u2"], "sampleText", {"content": "hi"})
    assert result.invalid_user_ids == [] and result.process_query_key
    assert store.fetch_count == {"dingtalk-v1:" + d.app_key: 1}  # one v1.0 token, in its own slot
    entries = control.get("/journal", params={"path": "/dingtalk/v1.0/robot/groupMessages/send"}).json()["entries"]
    assert entries[-1]["json"]["msgParam"] == '{"content":"你好"}'  # a JSON string, as the platform wants
    with pytest.raises(PermanentError) as info:
        client.enterprise_robot.send_to_group("not-our-robot", "cid7", "sampleText", {"content": "x"})
    assert info.value.code == "InvalidParameter.RobotCode"
