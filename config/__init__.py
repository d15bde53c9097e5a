"""Settings for every imbridge process: one model, loaded from YAML and the environment.

    from config import load_settings
    settings = load_settings("imbridge.yaml")
"""

from config.loader import ConfigError, load_settings
from config.masking import masked_dump
from config.settings import (
    DingTalkSettings,
    Settings,
    WeChatAppletSettings,
    WeChatSettings,
    WeComSettings,
)

__all__ = [
    "ConfigError",
    "DingTalkSettings",
    "Settings",
    "WeChatAppletSettings",
    "WeChatSettings",
    "WeComSettings",
    "load_settings",
    "masked_dump",
]
