"""Several accounts from the config: each platform's seed block is its ``default``, ``third.accounts`` adds more,
each with its own clients and its own token slot, and the scheduler keeps every one of them fresh."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import demo
from imbridge.cli import main
from scheduler.jobs.tokens import refresh_tokens
from tests.sandbox_support import journal

ACCOUNTS_YAML = """
third:
  wechat: {app-id: wxseed, app-secret: seed-secret-value}
  accounts:
    - code: sales
      platform: wechat
      app-id: wxsales
      app-secret: sales-secret-value
      encoding-aes-key: 4E6ykCDqqWHpnTFiY16f6VhcWhEhvYh4TBN4qog3GVw
    - code: hr
      platform: ding-talk
      app-key: dinghr
      app-secret: hr-secret-value
      agent-id: 7
    - code: sales
      platform: wecom
      corp-id: wwsales
      corp-secret: wecom-sales-secret
      agent-id: 1000005
"""


def write(tmp_path: Path, text: str, database_url: str) -> str:
    path = tmp_path / "imbridge.yaml"
    path.write_text(text + f"database:\n  url: {database_url}\n", encoding="utf-8")
    return str(path)


def test_config_check_takes_accounts_in_the_seeds_spelling(tmp_path, capsys, sqlite_url):
    assert main(["--config", write(tmp_path, ACCOUNTS_YAML, sqlite_url), "config", "check"]) == 0
    out = capsys.readouterr().out
    assert "sales-secret-value" not in out and "hr-secret-value" not in out


@pytest.mark.parametrize(("entries", "named"), [
    ("    - {code: default, platform: wechat, app-id: wx2}\n",
     "third.accounts: wechat account code 'default' is taken"),
    ("    - {code: crm, platform: wecom, corp-id: ww1}\n    - {code: crm, platform: wecom, corp-id: ww2}\n",
     "third.accounts: wecom account 'crm' is defined twice"),
    ("    - {code: Sales_1, platform: wechat}\n", "third.accounts.0.wechat.code"),
    ("    - {code: crm, platform: weibo}\n", "third.accounts.0: Input tag 'weibo'"),
    ("    - {code: crm, platform: ding-talk, corp-id: ww1}\n", "third.accounts.0.ding-talk.corp-id: unknown key"),
])
def test_config_check_names_a_bad_account(tmp_path, capsys, sqlite_url, entries, named):
    text = "third:\n  accounts:\n" + entries
    assert main(["--config", write(tmp_path, text, sqlite_url), "config", "check"]) == 2
    assert named in capsys.readouterr().err


def test_the_same_code_on_two_platforms_is_two_accounts(tmp_path, sqlite_url):
    from config import load_settings
    from core.accounts import Accounts

    accounts = Accounts(load_settings(write(tmp_path, ACCOUNTS_YAML, sqlite_url)))
    assert accounts.require("wechat", "sales").settings.app_id == "wxsales"
    assert accounts.require("wecom", "sales").settings.corp_id == "wwsales"
    assert accounts.get("ding-talk", "sales") is None
    assert accounts.require("wechat").settings.app_id == "wxseed"  # the seed's block is the default
    assert [(a.platform, a.code) for a in accounts.listed("wechat")] == [("wechat", "default"), ("wechat", "sales")]


def test_each_account_has_its_own_clients_and_token_slot(runtime):
    clients = runtime.clients
    assert clients.wechat.app_key == f"wechat:{demo.WECHAT_APP_ID}"
    assert clients.wechat_for("default") is clients.wechat
    sales = clients.wechat_for("sales")
    assert sales.app_key == "wechat:wxsales000000001"
    assert clients.wechat_for("sales") is sales  # built once
    assert sales.token.get() != clients.wechat.token.get()


def test_the_scheduler_refreshes_every_accounts_token_and_they_never_mix(runtime, control):
    outcome = refresh_tokens(runtime)
    assert outcome["wechat"] == "ok" and outcome["wechat:sales"] == "ok"
    issued = {entry["json"]["appid"]: entry["response"]["access_token"]
              for entry in journal(control, "/wechat/cgi-bin/stable_token")}
    assert set(issued) >= {demo.WECHAT_APP_ID, "wxsales000000001"}
    assert runtime.clients.wechat.token.get() == issued[demo.WECHAT_APP_ID]
    assert runtime.clients.wechat_for("sales").token.get() == issued["wxsales000000001"]


def test_config_check_lists_each_account_and_its_portal(tmp_path, capsys, sqlite_url):
    assert main(["--config", write(tmp_path, ACCOUNTS_YAML, sqlite_url), "config", "check"]) == 0
    out = capsys.readouterr().out
    assert "wechat/sales" in out and "portal /wechat/portal/sales" in out
    assert "ding-talk/hr" in out and "wecom/sales" in out


def test_imbridge_send_takes_an_account(monkeypatch, runtime, tmp_path, capsys):
    settings = runtime.settings
    monkeypatch.setenv("IMBRIDGE_REDIS__URL", settings.redis.url)
    monkeypatch.setenv("IMBRIDGE_DATABASE__URL", settings.database_url)
    monkeypatch.setenv("IMBRIDGE_VAR_DIR", str(tmp_path / "var"))
    message = '{"touser": "oX", "msgtype": "text", "text": {"content": "hi"}}'
    assert main(["send", "--channel", "wechat_custom", "--account", "nobody", "--message", message]) == 2
    assert "account: no wechat account has the code 'nobody'" in capsys.readouterr().err
