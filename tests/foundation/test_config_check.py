"""``imbridge config check`` says what would go wrong live: unknown keys, placeholders, unreachable parts and why."""

from __future__ import annotations

import shutil
import textwrap

import pytest

from config import ConfigError, load_settings
from imbridge.cli import main
from tests.conftest import free_port


def write(tmp_path, text: str):
    path = tmp_path / "imbridge.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def check(path, capsys) -> tuple[int, str, str]:
    code = main(["--config", str(path), "config", "check"])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_misspelt_section_is_an_error_naming_it_and_the_section_meant(tmp_path, capsys):
    path = write(tmp_path, "ingres:\n  port: 9000\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert caught.value.problems == ["ingres: unknown section (did you mean ingress?)"]
    code, _, err = check(path, capsys)
    assert code == 2
    assert "ingres: unknown section (did you mean ingress?)" in err


def test_a_misspelt_key_is_an_error_naming_the_key_meant(tmp_path, capsys):
    path = write(tmp_path, """
    third:
      wechat: {app-id: wx1, app-scret: s}
      ding-talk: {app-key: k}
    logging: {levle: DEBUG}
    """)
    code, _, err = check(path, capsys)
    assert code == 2
    assert "third.wechat.app-scret: unknown key (did you mean app-secret?)" in err
    assert "logging.levle: unknown key (did you mean level?)" in err


def test_a_misspelt_platform_is_named(tmp_path):
    with pytest.raises(ConfigError, match=r"third\.dingtalk: unknown section \(did you mean ding-talk\?\)"):
        load_settings(write(tmp_path, "third:\n  dingtalk: {app-key: k}\n"))


def test_the_seed_block_is_known_at_top_level_and_under_bootx_starter(tmp_path, capsys, sqlite_url):
    block = "third:\n  wechat: {app-id: wxreal1, app-secret: real-secret-1, token: tok1}\n"
    for text in (block, "bootx:\n  starter:\n" + textwrap.indent(block, "    ")):
        code, out, _ = check(write(tmp_path, text + f"database:\n  url: {sqlite_url}\n"), capsys)
        assert code == 0
        assert "configuration OK" in out


def test_an_unknown_environment_variable_is_an_error(tmp_path, capsys, sqlite_url, monkeypatch):
    monkeypatch.setenv("IMBRIDGE_INGRES__PORT", "9000")
    code, _, err = check(write(tmp_path, f"database:\n  url: {sqlite_url}\n"), capsys)
    assert code == 1
    assert "IMBRIDGE_INGRES__PORT: unknown section ingres (did you mean ingress?)" in err


def test_the_example_file_as_shipped_fails_on_its_placeholders(tmp_path, capsys, sqlite_url, redis_url,
                                                                monkeypatch):
    example = tmp_path / "imbridge.yaml"
    shutil.copy("config/imbridge.example.yaml", example)
    for name, value in (("REDIS__URL", redis_url), ("DATABASE__URL", sqlite_url), ("VAR_DIR", str(tmp_path))):
        monkeypatch.setenv(f"IMBRIDGE_{name}", value)  # reachable parts: only the placeholders are wrong
    code, _, err = check(example, capsys)
    assert code == 1
    for key in ("third.wechat.app-id", "third.wechat.app-secret", "third.wechat.token",
                "third.wechat.encoding-aes-key", "third.wecom.corp-id", "third.ding-talk.app-key",
                "third.wechat-applet.app-secret"):
        assert f"{key}: a placeholder, not a real value" in err
    assert "xxxxxxxx" not in err  # the message names the key, never echoes a (possibly secret) value


@pytest.mark.parametrize("value", ["xxxxxxxx", "abcXXXXdef", "??", "wx0000000000000000", "<your app secret>"])
def test_placeholder_values_are_errors(tmp_path, capsys, sqlite_url, value):
    path = write(tmp_path, f"third:\n  ding-talk: {{app-key: dingreal, app-secret: '{value}'}}\n"
                           f"database:\n  url: {sqlite_url}\n")
    code, _, err = check(path, capsys)
    assert code == 1
    assert "third.ding-talk.app-secret: a placeholder" in err


def test_each_platform_shows_its_state_and_api_base(tmp_path, capsys, sqlite_url):
    path = write(tmp_path, f"""
    third:
      wecom: {{corp-id: wwreal, corp-secret: real-wecom-secret, api-base-url: "https://wecom.example/api"}}
    database:
      url: {sqlite_url}
    """)
    code, out, _ = check(path, capsys)
    assert code == 0
    lines = {line.split()[0]: line.split()[1:3] for line in out.split("platforms:\n")[1].splitlines()
             if line.startswith("  ")}
    assert lines["wecom"] == ["live", "https://wecom.example/api"]
    assert lines["wechat"] == ["off", "https://api.weixin.qq.com"]
    assert lines["ding-talk"] == ["off", "https://oapi.dingtalk.com"]


def test_a_refused_redis_connection_says_refused_and_where(tmp_path, capsys, sqlite_url):
    port = free_port()  # nothing listens there
    path = write(tmp_path, f"redis:\n  url: redis://127.0.0.1:{port}/0\ndatabase:\n  url: {sqlite_url}\n")
    code, _, err = check(path, capsys)
    assert code == 1
    assert f"redis.url: cannot connect: connection refused to 127.0.0.1:{port}" in err


def test_a_redis_url_with_a_wrong_scheme_names_the_scheme(tmp_path, capsys, sqlite_url):
    path = write(tmp_path, f"redis:\n  url: htp://oops\ndatabase:\n  url: {sqlite_url}\n")
    code, _, err = check(path, capsys)
    assert code == 1
    assert "redis.url: invalid URL scheme htp (expected redis://, rediss://, unix://)" in err


def test_a_refused_database_connection_says_why(tmp_path, capsys):
    port = free_port()
    code, _, err = check(write(tmp_path, f"database:\n  url: postgresql://nobody@127.0.0.1:{port}/none\n"), capsys)
    assert code == 1
    assert "database.url: cannot connect (" in err
    assert "refused" in err.lower()
