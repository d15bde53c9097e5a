"""Every platform endpoint is journaled with what came in and what went out."""

from __future__ import annotations

from typing import Any

from config import demo
from sandbox.app import PLATFORM_ROUTES
from sandbox.wechat.seeds import LOGIN_TEMPLATE_ID, SUBSCRIBE_TEMPLATE_ID
from tests.sandbox.conftest import multipart
from tests.wire_witness import dingtalk_robot_sign

JPEG = b"\xff\xd8\xff\xe0 fake jpeg"


def _calls(settings, state, wechat: str, wecom: str, ding: str,
           ding_v1: str) -> list[tuple[str, str, dict[str, Any]]]:
    w, a, c, d = (settings.third.wechat, settings.third.wechat_applet, settings.third.wecom,
                  settings.third.ding_talk)
    wt, ct, dt = {"access_token": wechat}, {"access_token": wecom}, {"access_token": ding}
    image = multipart({"media": ("a.jpg", JPEG, "image/jpeg")})
    notice = "/dingtalk/topapi/message/corpconversation"
    v1 = {"x-acs-dingtalk-access-token": ding_v1}
    stamp = state.clock.now_ms()
    return [
        ("GET", "/wechat/cgi-bin/token", {"params": {"grant_type": "client_credential", "appid": w.app_id,
                                                      "secret": w.app_secret}}),
        ("POST", "/wechat/cgi-bin/stable_token", {"json": {"grant_type": "client_credential", "appid": w.app_id,
                                                           "secret": w.app_secret}}),
        ("POST", "/wechat/cgi-bin/qrcode/create", {"params": wt, "json": {
            "expire_seconds": 300, "action_name": "QR_STR_SCENE", "action_info": {"scene": {"scene_str": "s"}}}}),
        ("GET", "/wechat/cgi-bin/showqrcode", {"params": {"ticket": "unknown"}}),
        ("POST", "/wechat/cgi-bin/menu/create", {"params": wt, "json": {"button": [
            {"type": "click", "name": "Help", "key": "help"}]}}),
        ("GET", "/wechat/cgi-bin/menu/get", {"params": wt}),
        ("GET", "/wechat/cgi-bin/get_current_selfmenu_info", {"params": wt}),
        ("GET", "/wechat/cgi-bin/menu/delete", {"params": wt}),
        ("GET", "/wechat/cgi-bin/template/get_all_private_template", {"params": wt}),
        ("POST", "/wechat/cgi-bin/message/template/send", {"params": wt, "json": {
            "touser": "oA", "template_id": LOGIN_TEMPLATE_ID, "data": {"first": {"value": "x"}}}}),
        ("POST", "/wechat/cgi-bin/message/custom/send", {"params": wt, "json": {
            "touser": "oA", "msgtype": "text", "text": {"content": "x"}}}),
        ("POST", "/wechat/cgi-bin/message/custom/typing", {"params": wt, "json": {
            "touser": "oA", "command": "Typing"}}),
        ("POST", "/wechat/cgi-bin/message/subscribe/bizsend", {"params": wt, "json": {
            "touser": "oA", "template_id": SUBSCRIBE_TEMPLATE_ID, "data": {"thing1": {"value": "x"}}}}),
        ("POST", "/wechat/cgi-bin/message/subscribe/send", {"params": wt, "json": {
            "touser": "oA", "template_id": SUBSCRIBE_TEMPLATE_ID, "data": {}}}),
        ("GET", "/wechat/wxaapi/newtmpl/gettemplate", {"params": wt}),
        ("POST", "/wechat/cgi-bin/message/mass/sendall", {"params": wt, "json": {
            "filter": {"is_to_all": True}, "msgtype": "text", "text": {"content": "x"}}}),
        ("POST", "/wechat/cgi-bin/message/mass/send", {"params": wt, "json": {
            "touser": ["oA", "oB"], "msgtype": "text", "text": {"content": "x"}}}),
        ("POST", "/wechat/cgi-bin/message/mass/get", {"params": wt, "json": {"msg_id": 1}}),
        ("POST", "/wechat/cgi-bin/message/mass/delete", {"params": wt, "json": {"msg_id": 1}}),
        ("POST", "/wechat/cgi-bin/freepublish/batchget", {"params": wt, "json": {"offset": 0, "count": 2}}),
        ("POST", "/wechat/cgi-bin/draft/batchget", {"params": wt, "json": {"offset": 0, "count": 2, "no_content": 1}}),
        ("GET", "/wechat/cgi-bin/user/get", {"params": {**wt, "next_openid": ""}}),
        ("POST", "/wechat/cgi-bin/user/tag/get", {"params": wt, "json": {"tagid": 2, "next_openid": ""}}),
        ("GET", "/wechat/cgi-bin/user/info", {"params": {**wt, "openid": "oA", "lang": "zh_CN"}}),
        ("POST", "/wechat/cgi-bin/user/info/batchget", {"params": wt, "json": {"user_list": [{"openid": "oA"}]}}),
        ("POST", "/wechat/cgi-bin/user/info/updateremark", {"params": wt, "json": {"openid": "oA", "remark": "VIP"}}),
        ("POST", "/wechat/cgi-bin/tags/create", {"params": wt, "json": {"tag": {"name": "VIP"}}}),
        ("GET", "/wechat/cgi-bin/tags/get", {"params": wt}),
        ("POST", "/wechat/cgi-bin/tags/update", {"params": wt, "json": {"tag": {"id": 100, "name": "VIP2"}}}),
        ("POST", "/wechat/cgi-bin/tags/members/batchtagging", {"params": wt, "json": {
            "openid_list": ["oA"], "tagid": 100}}),
        ("POST", "/wechat/cgi-bin/tags/members/batchuntagging", {"params": wt, "json": {
            "openid_list": ["oA"], "tagid": 100}}),
        ("POST", "/wechat/cgi-bin/tags/delete", {"params": wt, "json": {"tag": {"id": 100}}}),
        ("POST", "/wechat/cgi-bin/template/del_private_template", {"params": wt, "json": {
            "template_id": LOGIN_TEMPLATE_ID}}),
        ("POST", "/wechat/cgi-bin/media/upload", {"params": {**wt, "type": "image"}, **image}),
        ("POST", "/wechat/cgi-bin/material/add_material", {"params": {**wt, "type": "image"}, **image}),
        ("POST", "/wechat/cgi-bin/material/batchget_material", {"params": wt, "json": {
            "type": "image", "offset": 0, "count": 5}}),
        ("GET", "/wechat/cgi-bin/material/get_materialcount", {"params": wt}),
        ("POST", "/wechat/cgi-bin/material/get_material", {"params": wt, "json": {"media_id": "gone"}}),
        ("POST", "/wechat/cgi-bin/material/del_material", {"params": wt, "json": {"media_id": "gone"}}),
        ("GET", "/wechat/sns/jscode2session", {"params": {"appid": a.app_id, "secret": a.app_secret,
                                                          "js_code": "c", "grant_type": "authorization_code"}}),
        ("GET", "/wechat/sns/oauth2/access_token", {"params": {
            "appid": settings.third.wechat_open.app_id, "secret": settings.third.wechat_open.app_secret,
            "code": "unknown", "grant_type": "authorization_code"}}),
        ("GET", "/wechat/sns/userinfo", {"params": {"access_token": "unknown", "openid": "oA"}}),
        ("GET", "/wecom/cgi-bin/auth/getuserinfo", {"params": {**ct, "code": "unknown"}}),
        ("GET", "/wecom/cgi-bin/gettoken", {"params": {"corpid": c.corp_id, "corpsecret": c.corp_secret}}),
        ("POST", "/wecom/cgi-bin/message/send", {"params": ct, "json": {
            "touser": "a", "msgtype": "text", "agentid": c.agent_id, "text": {"content": "hi"}}}),
        ("POST", "/wecom/cgi-bin/message/recall", {"params": ct, "json": {"msgid": "unknown"}}),
        ("POST", "/wecom/cgi-bin/media/upload", {"params": {**ct, "type": "image"}, **image}),
        ("POST", "/wecom/cgi-bin/appchat/create", {"params": ct, "json": {"userlist": ["a", "b"], "chatid": "c1"}}),
        ("POST", "/wecom/cgi-bin/appchat/send", {"params": ct, "json": {
            "chatid": "c1", "msgtype": "text", "text": {"content": "hi"}}}),
        ("POST", "/wecom/cgi-bin/webhook/send", {"params": {"key": demo.WECOM_ROBOT_KEY}, "json": {
            "msgtype": "markdown", "markdown": {"content": "**hi**"}}}),
        ("POST", "/wecom/cgi-bin/webhook/upload_media", {"params": {"key": demo.WECOM_ROBOT_KEY, "type": "file"},
                                                         **multipart({"media": ("f.txt", b"hello!", "text/plain")})}),
        ("GET", "/dingtalk/gettoken", {"params": {"appkey": d.app_key, "appsecret": d.app_secret}}),
        ("POST", f"{notice}/asyncsend_v2", {"params": dt, "json": {
            "agent_id": d.agent_id, "userid_list": "u1", "msg": {"msgtype": "text", "text": {"content": "x"}}}}),
        ("POST", f"{notice}/getsendprogress", {"params": dt, "json": {"agent_id": d.agent_id, "task_id": 1}}),
        ("POST", f"{notice}/getsendresult", {"params": dt, "json": {"agent_id": d.agent_id, "task_id": 1}}),
        ("POST", f"{notice}/recall", {"params": dt, "json": {"agent_id": d.agent_id, "msg_task_id": 1}}),
        ("POST", f"{notice}/status_bar/update", {"params": dt, "json": {
            "agent_id": d.agent_id, "task_id": 1, "status_value": "已同意", "status_bg": "0xFF78C06E"}}),
        ("POST", "/dingtalk/media/upload", {"params": {**dt, "type": "image"}, **image}),
        ("POST", "/dingtalk/robot/send", {"params": {
            "access_token": demo.DINGTALK_ROBOT_TOKEN, "timestamp": str(stamp),
            "sign": dingtalk_robot_sign(demo.DINGTALK_ROBOT_SECRET, stamp)}, "json": {
            "msgtype": "text", "text": {"content": "x"}}}),
        ("POST", "/dingtalk/v1.0/oauth2/accessToken", {"json": {"appKey": d.app_key, "appSecret": d.app_secret}}),
        ("POST", "/dingtalk/v1.0/robot/groupMessages/send", {"headers": v1, "json": {
            "robotCode": d.app_key, "openConversationId": "cid1", "msgKey": "sampleText",
            "msgParam": '{"content":"x"}'}}),
        ("POST", "/dingtalk/v1.0/robot/oToMessages/batchSend", {"headers": v1, "json": {
            "robotCode": d.app_key, "userIds": ["u1"], "msgKey": "sampleText", "msgParam": '{"content":"x"}'}}),
        ("POST", "/dingtalk/v1.0/oauth2/userAccessToken", {"json": {
            "clientId": d.app_key, "clientSecret": d.app_secret, "code": "unknown",
            "grantType": "authorization_code"}}),
        ("GET", "/dingtalk/v1.0/contact/users/me", {"headers": {"x-acs-dingtalk-access-token": "unknown"}}),
    ]


def test_every_endpoint_is_journaled_with_request_and_answer(client, settings, state, wechat_token, wecom_token,
                                                              dingtalk_token, dingtalk_v1_token):
    calls = _calls(settings, state, wechat_token(), wecom_token, dingtalk_token, dingtalk_v1_token)
    served = {f"/{p}{r.path}" for p, routes in PLATFORM_ROUTES.items() for r in routes}
    assert {path for _, path, _ in calls} == served, "a new endpoint needs a line here"
    for method, path, kwargs in calls:
        result = client.simulate_request(method, path, **kwargs)
        entry = client.simulate_get("/_sandbox/journal").json["entries"][-1]
        is_json = (result.headers.get("content-type") or "").startswith("application/json")
        assert (entry["method"], entry["path"], entry["status"]) == (method, path, result.status_code)
        assert entry["platform"] == path.split("/")[1]
        assert entry["query"] == kwargs.get("params", {})
        assert entry["json"] == kwargs.get("json")
        assert entry["response"] == (result.json if is_json else None), path
        if "body" in kwargs:
            media = entry["files"]["media"]
            assert set(media) == {"filename", "size", "content_type", "md5"}
