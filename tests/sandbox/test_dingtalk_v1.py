"""The fake DingTalk v1.0 API: token in a header, failures as HTTP 4xx ``{code, message, requestid}``."""

from __future__ import annotations

import json

import pytest

V1 = "x-acs-dingtalk-access-token"
GROUP = "/dingtalk/v1.0/robot/groupMessages/send"
USERS = "/dingtalk/v1.0/robot/oToMessages/batchSend"


def _group(settings, **overrides):
    body = {"robotCode": settings.third.ding_talk.app_key, "openConversationId": "cid42", "msgKey": "sampleText",
            "msgParam": json.dumps({"content": "hello"})}
    return {**body, **overrides}


def test_access_token_checks_the_app_and_answers_camel_case(client, settings):
    wrong = client.simulate_post("/dingtalk/v1.0/oauth2/accessToken", json={
        "appKey": settings.third.ding_talk.app_key, "appSecret": "not-it"})
    assert wrong.status_code == 400 and wrong.json["code"] == "invalidClientIdOrSecret" and wrong.json["requestid"]
    right = client.simulate_post("/dingtalk/v1.0/oauth2/accessToken", json={
        "appKey": settings.third.ding_talk.app_key, "appSecret": settings.third.ding_talk.app_secret})
    assert right.status_code == 200 and right.json["accessToken"] and right.json["expireIn"] > 0


def test_the_token_counts_only_in_its_header(client, settings, dingtalk_v1_token):
    in_query = client.simulate_post(GROUP, params={"access_token": dingtalk_v1_token}, json=_group(settings))
    assert (in_query.status_code, in_query.json["code"]) == (401, "MissingAuthentication")
    bogus = client.simulate_post(GROUP, headers={V1: "bogus"}, json=_group(settings))
    assert (bogus.status_code, bogus.json["code"]) == (400, "InvalidAuthentication")
    sent = client.simulate_post(GROUP, headers={V1: dingtalk_v1_token}, json=_group(settings))
    assert sent.status_code == 200 and sent.json["processQueryKey"]
    delivered = client.simulate_get("/_sandbox/deliveries", params={"platform": "dingtalk"}).json
    group = [d for d in delivered["deliveries"] if d["channel"] == "robot_group"]
    assert group[-1]["target"] == "cid42" and group[-1]["message"] == {"content": "hello"}


@pytest.mark.parametrize(("overrides", "code"), [
    ({"robotCode": "someone-else"}, "InvalidParameter.RobotCode"),
    ({"msgKey": "sampleNothing"}, "InvalidParameter.MsgKey"),
    ({"msgParam": {"content": "an object, not a string"}}, "InvalidParameter.MsgParam"),
    ({"msgParam": "{not json"}, "InvalidParameter.MsgParam"),
    ({"msgParam": json.dumps({"title": "no content"})}, "MissingParameter"),
    ({"openConversationId": ""}, "MissingParameter"),
])
def test_bad_group_messages_are_400_with_a_code(client, settings, dingtalk_v1_token, overrides, code):
    result = client.simulate_post(GROUP, headers={V1: dingtalk_v1_token}, json=_group(settings, **overrides))
    assert (result.status_code, result.json["code"]) == (400, code), result.text


def test_batch_send_names_invalid_users_and_caps_the_list(client, settings, dingtalk_v1_token):
    client.simulate_post("/_sandbox/config", json={"dingtalk_invalid_users": ["ghost"]})
    body = {"robotCode": settings.third.ding_talk.app_key, "msgKey": "sampleMarkdown",
            "msgParam": json.dumps({"title": "t", "text": "**x**"})}
    sent = client.simulate_post(USERS, headers={V1: dingtalk_v1_token}, json={**body, "userIds": ["u1", "ghost"]})
    assert sent.status_code == 200 and sent.json["invalidStaffIdList"] == ["ghost"]
    too_many = client.simulate_post(USERS, headers={V1: dingtalk_v1_token},
                                    json={**body, "userIds": [f"u{i}" for i in range(21)]})
    assert (too_many.status_code, too_many.json["code"]) == (400, "InvalidParameter.UserIds")


def test_whitelist_and_method_answer_in_the_v1_shape(client, settings, dingtalk_v1_token):
    wrong_method = client.simulate_get(GROUP, headers={V1: dingtalk_v1_token})
    assert (wrong_method.status_code, wrong_method.json["code"]) == (405, "MethodNotAllowed")
    client.simulate_post("/_sandbox/config", json={"ip_whitelist_fail": ["dingtalk"]})
    blocked = client.simulate_post(GROUP, headers={V1: dingtalk_v1_token}, json=_group(settings))
    assert (blocked.status_code, blocked.json["code"]) == (403, "Forbidden.AccessDenied.IpNotInWhiteList")
