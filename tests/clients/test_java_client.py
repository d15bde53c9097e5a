"""The Java client (``clients/java``, plain ``javac``, no jars) built and run against a running imbridge."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from models.webhooks import new_secret
from tests.clients.conftest import SECOND_WECOM
from tests.waiting import wait_for
from workers.webhooks import sign_standard

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "clients" / "java" / "src" / "main" / "java"
CHECKS = sorted((Path(__file__).parent / "java").glob("*.java"))
FOLLOWER = "oJavaFollower0000000000001"

pytestmark = pytest.mark.skipif(shutil.which("javac") is None or shutil.which("java") is None,
                                reason="no JDK here (javac and java); .ci/run installs default-jdk-headless")


@pytest.fixture(scope="module")
def classes(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("java-classes")
    sources = [str(p) for p in sorted(SOURCES.rglob("*.java"))] + [str(p) for p in CHECKS]
    built = subprocess.run(["javac", "-Xlint:all", "-Werror", "-d", str(out), *sources], capture_output=True,
                           text=True, timeout=300)
    assert built.returncode == 0, built.stdout + built.stderr
    return out


def test_the_java_client_sends_waits_batches_fans_out_and_reports_errors(classes, imbridge):
    secret = new_secret()
    body = json.dumps({"type": "notification.sent", "status": "sent"}).encode()
    stamp = str(int(time.time()))
    signature = sign_standard(secret, "wd_1", stamp, body)  # as the worker signs an outcome callback
    ran = subprocess.run(["java", "-cp", str(classes), "ClientCheck", imbridge.url, imbridge.notify_key, secret,
                          "wd_1", stamp, signature], input=body.decode(), capture_output=True, text=True,
                         timeout=240)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    seen = json.loads(ran.stdout.strip().splitlines()[-1])
    assert seen["sent"] == "sent" and seen["hasKey"] is True
    assert seen["markdown"] == {"title": "部署", "text": "**crm** 已上线"}, "UTF-8 both ways"
    assert seen["replayed"] is True
    assert seen["error"]["status"] == 422 and seen["error"]["code"] == "validation_error"
    assert {"robot", "message.text.content"} <= set(seen["error"]["fields"])
    assert seen["batch"] == ["sent", "sent"]
    assert seen["group"] == "sent"
    assert (seen["callback"], seen["tampered"]) == ("sent", "refused")


def test_a_java_notification_goes_through_the_account_it_names(classes, imbridge):
    ran = subprocess.run(["java", "-cp", str(classes), "AccountCheck", imbridge.url, imbridge.notify_key],
                         capture_output=True, text=True, timeout=240)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    seen = json.loads(ran.stdout.strip().splitlines()[-1])
    assert seen["sent"] == {"hr": ["sent", "hr"], "ops": ["sent", "ops"], "default": ["sent", "default"]}
    assert seen["group"] == {"status": "sent", "accounts": ["hr", "ops"]}
    assert seen["unknown"] == {"status": 422, "fields": ["account"]}
    assert seen["reply"] == "IllegalStateException"
    # Each app's own agent: the sandbox refuses an agent id that is not the token's app's.
    agents = {e["json"]["text"]["content"]: e["json"]["agentid"] for e in imbridge.journal("/cgi-bin/message/send")
              if "Java" in e["json"].get("text", {}).get("content", "")}
    assert agents == {"Java 运维通知": SECOND_WECOM["agent_id"], "Java 组消息": SECOND_WECOM["agent_id"]}


class Operator:
    """What an operator sets up before producers send (admin key, over HTTP), and what the sandbox saw."""

    def __init__(self, imbridge) -> None:
        self.imbridge = imbridge
        self.http = httpx.Client(base_url=imbridge.url, headers={"Authorization": f"Bearer {imbridge.admin_key}"},
                                 timeout=30)

    def job(self, started: httpx.Response) -> dict:
        assert started.status_code == 202, started.text
        path = f"/api/v1/jobs/{started.json()['jobId']}"
        job = wait_for(lambda: (j := self.http.get(path).json())["status"] in ("succeeded", "failed") and j, 60)
        assert job["status"] == "succeeded", job
        return job

    def subscription_templates(self) -> dict[str, str]:
        """Both apps' subscription templates synced and coded; app (oa, applet) -> code."""
        self.job(self.http.post("/api/v1/wechat/subscribe-templates/sync"))
        codes = {}
        for template in self.http.get("/api/v1/wechat/subscribe-templates").json()["items"]:
            code = f"java-{template['app']}"
            patched = self.http.patch(f"/api/v1/wechat/subscribe-templates/{template['id']}", json={"code": code})
            assert patched.status_code == 200, patched.text
            codes[template["app"]] = code
        return codes

    def template_message_templates(self) -> dict[str, str]:
        """The Official Account's template-message templates synced, the login one coded ``java-login``; its ids."""
        self.job(self.http.post("/api/v1/wechat/templates/sync"))
        [login] = [t for t in self.http.get("/api/v1/wechat/templates").json()["items"] if t["title"] == "登录提醒"]
        patched = self.http.patch(f"/api/v1/wechat/templates/{login['id']}", json={"code": "java-login"})
        assert patched.status_code == 200, patched.text
        return {"code": "java-login", "templateId": login["templateId"]}

    def inbound(self, text: str, sender: str, *, wecom: bool) -> int:
        """``sender`` writes to the account (as the sandbox plays the platform); the inbound record's id."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("IMBRIDGE_") and k != "REDIS_URL"}
        env["IMBRIDGE_SANDBOX__PORT"] = self.imbridge.sandbox.rsplit(":", 1)[1]  # this imbridge's sandbox, no other
        argv = [sys.executable, "-m", "imbridge", "sandbox", "say", text, "--openid", sender, "--ingress",
                self.imbridge.url, *(["--wecom"] if wecom else [])]
        said = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        assert said.returncode == 0, said.stdout + said.stderr

        def found() -> list[dict]:
            return self.http.get("/api/v1/inbound", params={"fromUser": sender}).json()["items"]

        return wait_for(found, 30)[0]["id"]

    def sandbox(self, method: str, path: str, **kwargs) -> httpx.Response:
        answer = httpx.request(method, f"{self.imbridge.sandbox}/_sandbox{path}", **kwargs)
        answer.raise_for_status()
        return answer


def test_every_java_builder_reaches_the_platform_and_bad_input_is_refused(classes, imbridge):
    operator = Operator(imbridge)
    codes = operator.subscription_templates()
    login = operator.template_message_templates()
    created = operator.http.post("/api/v1/notification-templates", json={
        "code": "java-deploy", "name": "Deploy", "content": "${app} is live"})
    assert created.status_code == 201, created.text
    operator.job(operator.http.post("/api/v1/wecom/appchats", json={
        "name": "值班群", "owner": "lisi", "userlist": ["zhangsan", "lisi"], "chatid": "javachat"}))
    now = operator.sandbox("GET", "/clock").json()["now"]
    operator.sandbox("POST", "/wechat/interactions", json={"openid": FOLLOWER, "at": now})
    fixtures = {"ticket": codes["oa"], "order": codes["applet"], "chat": "javachat", "follower": FOLLOWER,
                "messageTemplate": "java-deploy", "login": login["code"], "loginId": login["templateId"],
                "wechatInbound": operator.inbound("我要退货", FOLLOWER, wecom=False),
                "wecomInbound": operator.inbound("请假申请", "lisi", wecom=True)}
    # WeCom holds the first app message 3 s: the Java client's wait runs out before the record is final.
    operator.sandbox("POST", "/faults", json={"pattern": "/wecom/cgi-bin/message/send", "kind": "timeout",
                                              "hold_seconds": 3, "times": 1})
    try:
        ran = subprocess.run(["java", "-cp", str(classes), "ChannelCheck", imbridge.url, imbridge.notify_key],
                             input=json.dumps(fixtures), capture_output=True, text=True, timeout=400)
    finally:
        operator.sandbox("DELETE", "/faults")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    seen = json.loads(ran.stdout.strip().splitlines()[-1])
    assert {name: v for name, v in seen.items() if str(v).startswith("threw")} == {}, "every section ran through"

    assert seen["waitTimeout"]["timedOut"] is True and seen["waitTimeout"]["finally"] == "sent"
    assert seen["waitTimeout"]["lastStatus"] not in ("sent", "failed", "dead")
    for section in ("newChannels", "customerService", "messageTypes"):
        assert isinstance(seen[section], dict), seen[section]
        assert {label: s for label, s in seen[section].items() if s != "sent"} == {}, section
    assert len(seen["newChannels"]) == 19 and len(seen["customerService"]) == 8

    assert seen["replies"] == {"wechat": {"channel": "wechat_custom", "status": "sent", "target": FOLLOWER},
                               "wecom": {"channel": "wecom_app", "status": "sent", "target": "users:lisi"}}
    assert seen["fanOut"]["group"] == "sent"
    assert seen["fanOut"]["channels"] == ["dingtalk_group", "wecom_appchat", "wechat_custom"]
    assert seen["fanOut"]["templated"] == "sent" and seen["fanOut"]["sameGroupAgain"] is True
    assert seen["fanOut"]["templatedMessage"]["msgParam"]["content"] == "crm is live"

    bar = seen["statusBar"]
    assert (bar["sent"], bar["answer"], bar["history"], bar["shown"]) == ("sent", "requested",
                                                                         ["sent", "status_set"], "已同意")
    assert (bar["onText"]["status"], bar["onText"]["code"]) == (409, "conflict")
    assert bar["tooLong"]["status"] == 422 and bar["tooLong"]["fields"] == ["value"]
    assert bar["badColor"]["status"] == 422 and bar["badColor"]["fields"] == ["color"]
    assert seen["recall"]["answer"] == "requested" and seen["recall"]["finally"] == "recalled"
    assert seen["recall"]["robot"]["status"] == 409

    assert seen["callbacks"] == {"listed": True, "outcome": "sent", "tampered": "refused", "late": "refused",
                                 "otherSecret": "refused", "standardSecret": "sent", "afterUnsubscribe": False}

    assert seen["refusedByTheClient"] == {
        "appchatTemplateCard": "UnsupportedOperationException", "appchatOption": "IllegalArgumentException",
        "workVoiceWithoutDuration": "UnsupportedOperationException",
        "customMarkdown": "UnsupportedOperationException", "customTwoArticles": "IllegalArgumentException",
        "customVideoWithoutThumb": "UnsupportedOperationException",
        "subscribeText": "UnsupportedOperationException", "stateOnOfficialAccount": "UnsupportedOperationException",
        "replyImage": "UnsupportedOperationException", "enterpriseRobotImage": "UnsupportedOperationException",
        "dingtalkMarkdownWithoutTitle": "UnsupportedOperationException", "atBeforeText": "IllegalStateException",
        "platformMediaAsRobotImage": "IllegalStateException", "batchKeys": "IllegalArgumentException",
        "negativeWait": "IllegalArgumentException"}
    server = seen["refusedByTheServer"]
    assert all(r["status"] == 422 and r["code"] == "validation_error" for r in server.values()), server
    assert server["subscribeValue"]["fields"] == ["message.data.thing1.value"]
    assert "message.template_code" in server["subscribeUnknownTemplate"]["fields"]
    assert server["replyToUnknown"]["fields"] == ["replyTo"]
    assert server["robotUsersTooMany"]["fields"] == ["to.users"]
    assert server["appchatBadId"]["fields"] == ["to.chat"]
    assert "targets.1.replyTo" in server["replyInFanOut"]["fields"]
    assert seen["retries"] == "ConnectException"

    # What reached the platforms: their own shapes.
    journal = imbridge.journal
    [bizsend] = [e["json"] for e in journal("/message/subscribe/bizsend")
                 if e["json"]["touser"] == "oJavaSubscriber01"]
    assert bizsend["miniprogram"] == {"appid": "wxjavaapp", "pagepath": "pages/ticket"}
    assert bizsend["data"]["thing1"] == {"value": "打印机故障"}
    [applet] = [e["json"] for e in journal("/message/subscribe/send")
                if e["json"]["touser"] == "oJavaApplet01"]
    assert (applet["page"], applet["miniprogram_state"], applet["lang"]) == ("pages/order?id=1", "trial", "zh_CN")
    [by_code] = [e["json"] for e in journal("/message/template/send") if e["json"]["touser"] == "oJavaTemplate01"]
    assert by_code["template_id"] == login["templateId"] and by_code["client_msg_id"] == "java-login-1001"
    assert (by_code["url"], by_code["miniprogram"]) == ("https://example.com/login",
                                                        {"appid": "wxjavaapp", "pagepath": "pages/index"})
    assert by_code["data"]["keyword1"] == {"value": "admin", "color": "#173177"}
    chats = [e["json"] for e in journal("/wecom/cgi-bin/appchat/send") if e["json"]["chatid"] == "javachat"]
    assert {c["msgtype"] for c in chats} >= {"text", "markdown", "textcard", "image", "file", "voice", "video",
                                             "news", "mpnews"}
    assert [c["safe"] for c in chats if c["msgtype"] == "text"] == [0]
    groups = [json.loads(e["json"]["msgParam"]) for e in journal("/dingtalk/v1.0/robot/groupMessages/send")
              if e["json"]["openConversationId"] == "cidJavaGroup01"]
    assert {"content": "部署完成 / deploy done"} in groups
    custom = [e["json"] for e in journal("/message/custom/send") if e["json"]["touser"] == FOLLOWER]
    assert {c["msgtype"] for c in custom} == {"text", "image", "voice", "video", "music", "news", "msgmenu",
                                              "miniprogrampage"}
