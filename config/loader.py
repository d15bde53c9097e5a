"""Load settings from a YAML file and the environment.

The file may hold the seed system's block verbatim, at top level or nested under ``bootx.starter``, with
kebab-case keys (``ding-talk``, ``app-key``). Both spellings are folded to the model's snake_case.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from config import demo
from config.known_keys import unknown_key, unknown_sections
from config.settings import Settings

#: Environment variable naming the config file when ``--config`` is not given.
CONFIG_ENV = "IMBRIDGE_CONFIG"


class ConfigError(Exception):
    """The configuration cannot be used; ``problems`` lists every reason, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _fold_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k).replace("-", "_").lower(): _fold_keys(v) for k, v in value.items()}
    if isinstance(value, list):  # third.accounts: entries with the seed's kebab-case keys
        return [_fold_keys(v) for v in value]
    return value


def read_config_file(path: str | os.PathLike[str] | None) -> dict[str, Any]:
    """Read the YAML file (``None``: ``$IMBRIDGE_CONFIG`` or nothing) into a dict of folded keys."""
    path = path or os.environ.get(CONFIG_ENV)
    if not path:
        return {}
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError([f"cannot read config file {path}: {exc.strerror}"]) from exc
    except yaml.YAMLError as exc:
        raise ConfigError([f"config file {path} is not valid YAML: {exc}"]) from exc
    if not isinstance(raw, dict):
        raise ConfigError([f"config file {path} must hold a mapping at top level"])
    data = _fold_keys(raw)
    starter = data.pop("bootx", {}).get("starter", {}) if isinstance(data.get("bootx"), dict) else {}
    for key, value in (starter or {}).items():
        data.setdefault(key, value)
    return data


def _describe(error: dict[str, Any]) -> str:
    if error["type"] == "extra_forbidden":
        return unknown_key(error["loc"])
    where = ".".join(str(p).replace("_", "-") for p in error["loc"])
    message = error["msg"].removeprefix("Value error, ")
    return f"{where}: {message}"


def config_file_named(path: str | os.PathLike[str] | None = None) -> bool:
    """Whether a config file is named: ``path`` or ``$IMBRIDGE_CONFIG``."""
    return bool(path or os.environ.get(CONFIG_ENV))


def load_settings(path: str | os.PathLike[str] | None = None, *, demo_by_default: bool = False,
                  **overrides: Any) -> Settings:
    """Build the effective settings: file, then environment; in demo mode the demo fills unconfigured platforms.

    ``demo_by_default``: with no config file named and ``sandbox.enabled`` not said, this is demo mode (what
    ``imbridge up`` and ``imbridge sandbox`` run). Otherwise only ``sandbox.enabled: true`` turns it on.
    """
    data = read_config_file(path)
    data.update(overrides)
    unknown = unknown_sections(data)
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        raise ConfigError(unknown + [_describe(e) for e in exc.errors()]) from exc
    if unknown:
        raise ConfigError(unknown)
    if demo_by_default and settings.sandbox.enabled is None and not config_file_named(path):
        settings.sandbox.enabled = True
    if not settings.security.secret_key:
        settings.security.secret_key = read_secret_key(settings.var_dir)
    return apply_demo_credentials(settings)


def secret_key_path(var_dir: Path) -> Path:
    return Path(var_dir) / "secret.key"


def read_secret_key(var_dir: Path) -> str | None:
    """The key ``ensure_secret_key`` generated under var/, if any."""
    try:
        return secret_key_path(var_dir).read_text(encoding="ascii").strip() or None
    except OSError:
        return None


def ensure_secret_key(settings: Settings) -> str:
    """The configured secret key, or one generated once under var/ (readable by its owner only)."""
    if settings.security.secret_key:
        return settings.security.secret_key
    path = secret_key_path(settings.var_dir)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(32))
    settings.security.secret_key = read_secret_key(settings.var_dir)
    assert settings.security.secret_key
    return settings.security.secret_key


def apply_demo_credentials(settings: Settings) -> Settings:
    """In demo mode, point every platform that has no credentials of its own at the sandbox, with the demo ones.

    Outside demo mode nothing is filled in: a platform without credentials stays off.
    """
    if not settings.demo:
        return settings
    base = settings.sandbox_url
    third = settings.third
    if not third.wechat.configured:
        third.wechat = third.wechat.model_copy(update=dict(
            app_id=demo.WECHAT_APP_ID, app_secret=demo.WECHAT_APP_SECRET, token=demo.WECHAT_TOKEN,
            encoding_aes_key=demo.WECHAT_AES_KEY, api_base_url=f"{base}/wechat"))
    if not third.wechat_applet.configured:
        third.wechat_applet = third.wechat_applet.model_copy(update=dict(
            app_id=demo.WECHAT_APPLET_APP_ID, app_secret=demo.WECHAT_APPLET_APP_SECRET,
            api_base_url=f"{base}/wechat"))
    if not third.wechat_open.configured:
        third.wechat_open = third.wechat_open.model_copy(update=dict(
            app_id=demo.WECHAT_OPEN_APP_ID, app_secret=demo.WECHAT_OPEN_APP_SECRET,
            api_base_url=f"{base}/wechat", authorize_url=f"{base}/wechat-open/connect/qrconnect"))
    if not third.wecom.configured:
        third.wecom = third.wecom.model_copy(update=dict(
            corp_id=demo.WECOM_CORP_ID, corp_secret=demo.WECOM_CORP_SECRET, agent_id=demo.WECOM_AGENT_ID,
            token=demo.WECOM_TOKEN, encoding_aes_key=demo.WECOM_AES_KEY, api_base_url=f"{base}/wecom",
            login_url=f"{base}/wecom-login/wwlogin/sso/login"))
    if not third.ding_talk.configured:
        third.ding_talk = third.ding_talk.model_copy(update=dict(
            app_key=demo.DINGTALK_APP_KEY, app_secret=demo.DINGTALK_APP_SECRET,
            agent_id=demo.DINGTALK_AGENT_ID, api_base_url=f"{base}/dingtalk",
            login_url=f"{base}/dingtalk-login/oauth2/auth"))
    return settings
