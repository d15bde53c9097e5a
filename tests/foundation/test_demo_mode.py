"""Demo credentials only in demo mode: a deployment's config file makes every platform without credentials off.

The demo credentials (``config.demo``) are public: with them anyone signs WeCom callbacks, WeChat QR scans and
logins. They fill the unconfigured platforms only in demo mode (``sandbox.enabled: true``, or ``imbridge up``
with no config file); anywhere else such a platform is off: portal 404, channels 422, no token, no QR code.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator

import falcon.testing
import pytest

from config import demo, load_settings
from core.runtime import Runtime
from core.tasks import Tasks
from imbridge.cli import main
from ingress import create_app
from ingress.login.messages import Code
from models import Scope
from models.api_clients import create_api_client
from sandbox import callbacks
from scheduler.jobs.qr_pool import top_up_qr_pool

#: A deployment that configured its Official Account only (the issue's example).
WECHAT_ONLY = """
third:
  wechat:
    app-id: wxrealaccount0001
    app-secret: real-wechat-secret-0001
    token: realcallbacktoken
    encoding-aes-key: ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CBgoM
"""
#: The demo's public values: none may appear in a deployment's effective settings.
DEMO_VALUES = {name: value for name, value in vars(demo).items() if name.isupper() and isinstance(value, str | int)}


def write(tmp_path, text: str):
    path = tmp_path / "imbridge.yaml"
    path.write_text(textwrap.dedent(text))
    return path


@pytest.fixture
def deployment(tmp_path, redis_url, redis_client, sqlite_url) -> Iterator[tuple[falcon.testing.TestClient, dict]]:
    """The ingress of a config file with real WeChat credentials only, and an admin key."""
    settings = load_settings(write(tmp_path, WECHAT_ONLY), redis={"url": redis_url}, database={"url": sqlite_url},
                             var_dir=str(tmp_path / "var"), security={"secret_key": "demo-mode-test-secret-key"})
    runtime = Runtime.from_settings(settings)
    with runtime.database.session() as session:
        _, key = create_api_client(session, "admin", Scope.ADMIN)
    try:
        yield falcon.testing.TestClient(create_app(settings, runtime)), {"Authorization": f"Bearer {key}"}
    finally:
        runtime.close()


def test_a_config_file_with_wechat_credentials_only_holds_no_demo_secret(tmp_path):
    settings = load_settings(write(tmp_path, WECHAT_ONLY))
    effective = json.dumps(settings.model_dump(mode="json"))
    assert not [name for name, value in DEMO_VALUES.items() if str(value) in effective]
    third = settings.third
    assert not third.wecom.configured and third.wecom.token is None and third.wecom.encoding_aes_key is None
    assert not third.ding_talk.configured and not third.wechat_applet.configured
    assert third.wecom.api_base_url == "https://qyapi.weixin.qq.com"  # never the sandbox outside demo mode


def test_a_file_or_the_environment_saying_sandbox_enabled_true_is_demo_mode(tmp_path, monkeypatch):
    said = load_settings(write(tmp_path, WECHAT_ONLY + "sandbox:\n  enabled: true\n"))
    assert said.demo and said.third.wecom.corp_id == demo.WECOM_CORP_ID
    assert said.third.wechat.app_id == "wxrealaccount0001"  # configured: stays live
    monkeypatch.setenv("IMBRIDGE_SANDBOX__ENABLED", "true")
    assert load_settings(write(tmp_path, WECHAT_ONLY)).third.wecom.corp_id == demo.WECOM_CORP_ID


def test_no_config_file_is_demo_only_where_up_runs_it(monkeypatch):
    assert not load_settings(None).demo  # `imbridge ingress|worker|scheduler` on their own
    assert load_settings(None).third.wecom.corp_id is None
    assert load_settings(None, demo_by_default=True).third.wecom.corp_id == demo.WECOM_CORP_ID  # `imbridge up`
    monkeypatch.setenv("IMBRIDGE_SANDBOX__ENABLED", "false")
    assert not load_settings(None, demo_by_default=True).demo  # the operator said no


def test_the_portal_of_an_unconfigured_platform_is_404_and_a_forged_callback_records_nothing(deployment):
    client, admin = deployment
    public = load_settings(None, sandbox={"enabled": True})  # what anyone can sign with
    forged = callbacks.build_wecom_callback(public, callbacks.wecom_text_fields(public, "forged"))
    answer = client.simulate_post("/wecom/portal", params=forged.params, body=forged.body,
                                  headers={"Content-Type": "text/xml"})
    assert answer.status_code == 404 and answer.json["error"]["code"] == "not_configured"
    assert client.simulate_get("/wecom/portal", params={**forged.params, "echostr": "x"}).status_code == 404
    assert client.simulate_get("/api/v1/inbound", headers=admin).json["total"] == 0


@pytest.mark.parametrize(("channel", "body", "keys"), [
    ("dingtalk_work", {"to": {"users": ["manager01"]}, "message": {"msgtype": "text", "text": {"content": "hi"}}},
     ["third.ding-talk.app-key", "third.ding-talk.app-secret", "third.ding-talk.agent-id"]),
    ("wecom_app", {"to": {"users": ["zhangsan"]}, "message": {"msgtype": "text", "text": {"content": "hi"}}},
     ["third.wecom.corp-id", "third.wecom.corp-secret", "third.wecom.agent-id"]),
])
def test_a_channel_of_an_unconfigured_platform_is_422_naming_the_keys_to_set(deployment, channel, body, keys):
    client, admin = deployment
    request = {"channel": channel, **body}
    single = client.simulate_post("/api/v1/notifications", json=request, headers=admin)
    batch = client.simulate_post("/api/v1/notifications/batch", json={"notifications": [request]}, headers=admin)
    for answer in (single, batch):
        assert answer.status_code == 422, answer.text
        [found] = [d for d in answer.json["error"]["details"] if d["type"] == "not_configured"]
        assert all(key in found["message"] for key in keys), found
    assert client.simulate_get("/api/v1/notifications", headers=admin).json["total"] == 0


def test_an_unconfigured_official_account_refuses_template_messages_and_qr_login(tmp_path, redis_url, redis_client,
                                                                                 sqlite_url):
    settings = load_settings(write(tmp_path, "third:\n  ding-talk: {app-key: dingreal, app-secret: s, agent-id: 1}\n"),
                             redis={"url": redis_url}, database={"url": sqlite_url}, var_dir=str(tmp_path / "var"),
                             security={"secret_key": "demo-mode-test-secret-key"})
    runtime = Runtime.from_settings(settings)
    try:
        with runtime.database.session() as session:
            _, key = create_api_client(session, "admin", Scope.ADMIN)
        client = falcon.testing.TestClient(create_app(settings, runtime))
        sent = client.simulate_post("/api/v1/wechat/template-messages", headers={"Authorization": f"Bearer {key}"},
                                    json={"touser": "oSomeone", "template_id": "t", "data": {"a": "b"}})
        assert sent.status_code == 422 and "third.wechat.app-id" in sent.text
        admin = {"Authorization": f"Bearer {key}"}
        for action in ("/api/v1/wechat/templates/sync", "/api/v1/wechat/menus/clear", "/api/v1/wechat/media/sync"):
            refused = client.simulate_post(action, headers=admin)
            assert refused.status_code == 422, (action, refused.text)
            assert refused.json["error"]["details"][0]["type"] == "not_configured"
            assert "third.wechat.app-id, third.wechat.app-secret" in refused.json["error"]["message"]
        assert client.simulate_get("/api/v1/jobs", headers=admin).json["total"] == 0  # no job was made
        assert client.simulate_get("/api/v1/wechat/templates", headers=admin).status_code == 200  # local rows
        no_login = client.simulate_post("/token/wechat/qr/applyQrCode")
        assert no_login.status_code == 200 and no_login.json["code"] == Code.NOT_CONFIGURED  # the seed's envelope
        no_mint = {"dropped": 0, "size": 0, "queued": 0, "target": 0}
        assert top_up_qr_pool(runtime, Tasks.from_settings(runtime.settings)) == no_mint  # no code minted for it
        assert set(runtime.clients.token_sources()) == {"dingtalk", "dingtalk_v1"}  # the scheduler refreshes only these
    finally:
        runtime.close()


def write_with_database(tmp_path, text: str, sqlite_url: str):
    return write(tmp_path, text + f"database:\n  url: {sqlite_url}\n")


def test_config_check_prints_each_platform_live_off_or_demo_with_its_api_base(tmp_path, capsys, sqlite_url):
    path = write_with_database(tmp_path, WECHAT_ONLY, sqlite_url)
    assert main(["--config", str(path), "config", "check"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line.split()[1:3] for line in out.split("platforms:\n", 1)[1].splitlines()[:5]}
    assert lines == {"wechat": ["live", "https://api.weixin.qq.com"],
                     "wechat-applet": ["off", "https://api.weixin.qq.com"],
                     "wechat-open": ["off", "https://api.weixin.qq.com"],
                     "wecom": ["off", "https://qyapi.weixin.qq.com"], "ding-talk": ["off", "https://oapi.dingtalk.com"]}
    assert "demo mode: off" in out

    path = write_with_database(tmp_path, WECHAT_ONLY + "sandbox:\n  enabled: true\n", sqlite_url)
    assert main(["--config", str(path), "config", "check"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line.split()[1:3] for line in out.split("platforms:\n", 1)[1].splitlines()[:5]}
    assert lines["wechat"] == ["live", "https://api.weixin.qq.com"]
    assert lines["wecom"] == ["demo", "http://127.0.0.1:8900/wecom"]
    assert lines["ding-talk"] == ["demo", "http://127.0.0.1:8900/dingtalk"]


def test_config_check_warns_of_demo_mode_beyond_the_loopback_address(tmp_path, capsys, sqlite_url):
    path = write_with_database(tmp_path, "sandbox:\n  enabled: true\ningress:\n  host: 0.0.0.0\n", sqlite_url)
    assert main(["--config", str(path), "config", "check"]) == 0
    err = capsys.readouterr().err
    assert "demo mode is on and the ingress listens on 0.0.0.0" in err and "third.wecom" in err
    path = write_with_database(tmp_path, "sandbox:\n  enabled: true\n", sqlite_url)
    assert main(["--config", str(path), "config", "check"]) == 0
    assert "demo mode" not in capsys.readouterr().err

