"""Configuration: the seed's YAML block verbatim, environment overrides, clear errors, masked output."""

from __future__ import annotations

import textwrap

import pytest

from config import ConfigError, Settings, load_settings, masked_dump
from config.masking import mask
from imbridge.cli import main

SEED_BLOCK = """
third:
  ding-talk:
    app-key: dingkey123
    app-secret: dingsecret456
    agent-id: 123456
  wechat:
    app-id: wx1234567890
    app-secret: wechatsecret789
    token: mytoken
    encoding-aes-key: kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR
  wecom:
    agent-id: 1000002
    corp-id: ww123
    corp-secret: wecomsecret
    token: wecomtoken
    encoding-aes-key: kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR
  wechat-applet:
    app-id: wxapplet
    app-secret: appletsecret
"""


def write(tmp_path, text: str):
    path = tmp_path / "imbridge.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def test_seed_block_at_top_level_is_read_verbatim(tmp_path):
    settings = load_settings(write(tmp_path, SEED_BLOCK))
    assert settings.third.ding_talk.app_key == "dingkey123"
    assert settings.third.ding_talk.agent_id == 123456
    assert settings.third.wechat.encoding_aes_key.startswith("kWx")
    assert settings.third.wecom.corp_id == "ww123"
    assert settings.third.wechat_applet.app_secret == "appletsecret"


def test_seed_block_nested_under_bootx_starter_is_read(tmp_path):
    nested = "bootx:\n  starter:\n" + textwrap.indent(textwrap.dedent(SEED_BLOCK), "    ")
    settings = load_settings(write(tmp_path, nested))
    assert settings.third.wechat.app_id == "wx1234567890"


def test_in_demo_mode_real_credentials_keep_their_platform_live_and_the_others_get_the_sandbox(tmp_path):
    settings = load_settings(write(tmp_path, "third:\n  wechat:\n    app-id: wxreal\n    app-secret: s\n"
                                             "sandbox:\n  enabled: true\n"))
    assert settings.third.wechat.api_base_url == "https://api.weixin.qq.com"
    assert settings.third.wechat.app_id == "wxreal"
    assert settings.third.ding_talk.api_base_url == "http://127.0.0.1:8900/dingtalk"


def test_environment_overrides_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("IMBRIDGE_THIRD__DING_TALK__APP_KEY", "fromenv")
    monkeypatch.setenv("IMBRIDGE_INGRESS__PORT", "9123")
    settings = load_settings(write(tmp_path, SEED_BLOCK))
    assert settings.third.ding_talk.app_key == "fromenv"
    assert settings.ingress.port == 9123


def test_every_invalid_value_is_reported_at_once(tmp_path):
    bad = """
    third:
      wechat: {app-id: wx, app-secret: s, encoding-aes-key: tooshort}
      ding-talk: {app-key: k, app-secret: s, agent-id: -5}
    """
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, bad))
    text = "\n".join(caught.value.problems)
    assert "third.wechat.encoding-aes-key: must be 43 base64 characters" in text
    assert "third.ding-talk.agent-id" in text


def test_unreadable_or_malformed_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_settings(tmp_path / "missing.yaml")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_settings(write(tmp_path, "third: [unclosed"))


def test_config_check_masks_every_secret(tmp_path, capsys, sqlite_url):
    path = write(tmp_path, SEED_BLOCK + f"database:\n  url: {sqlite_url}\n")
    assert main(["--config", str(path), "config", "check"]) == 0
    out = capsys.readouterr().out
    for secret in ("dingsecret456", "wechatsecret789", "wecomsecret", "appletsecret", "mytoken",
                   "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"):
        assert secret not in out
    assert "dingkey123" in out


def test_config_check_and_api_answers_mask_alike():
    """One mask: a secret shows a hint of four characters only when it is long enough (16+) to spare them."""
    dumped = masked_dump(Settings(third={"wechat": {"app_secret": "0123456789abcdef0123", "token": "mytoken"}}))
    assert dumped["third"]["wechat"]["app_secret"] == mask("0123456789abcdef0123") == "0123****"
    assert dumped["third"]["wechat"]["token"] == mask("mytoken") == "****"


def test_config_check_fails_on_unreachable_database(tmp_path, capsys):
    path = write(tmp_path, "database:\n  url: postgresql://nobody@127.0.0.1:1/none\n")
    assert main(["--config", str(path), "config", "check"]) == 1
    assert "database.url: cannot connect" in capsys.readouterr().err


def test_config_check_fails_on_invalid_values(tmp_path, capsys):
    path = write(tmp_path, "third:\n  wecom: {corp-id: c, corp-secret: s, agent-id: -1}\n")
    assert main(["--config", str(path), "config", "check"]) == 2
    assert "third.wecom.agent-id" in capsys.readouterr().err


def test_the_example_file_documents_valid_settings():
    settings = load_settings("config/imbridge.example.yaml")
    assert settings.third.wechat.token_mode == "stable"
    assert settings.ingress.port == 8000


def test_webhook_allow_networks_are_cidrs_checked_at_load(tmp_path, monkeypatch):
    assert load_settings(write(tmp_path, "{}")).webhooks.allow_networks == []
    settings = load_settings(write(tmp_path, "webhooks:\n  allow-networks: [10.20.0.0/16, '::1']\n"))
    assert [str(n) for n in settings.webhooks.allow_networks] == ["10.20.0.0/16", "::1/128"]
    with pytest.raises(ConfigError, match=r"webhooks\.allow-networks: 10\.20\.0\.1/16 has host bits set"):
        load_settings(write(tmp_path, "webhooks:\n  allow-networks: [10.20.0.1/16]\n"))  # host bits: a typo
    monkeypatch.setenv("IMBRIDGE_WEBHOOKS__ALLOW_NETWORKS", '["127.0.0.1/32"]')
    assert [str(n) for n in load_settings(None).webhooks.allow_networks] == ["127.0.0.1/32"]
