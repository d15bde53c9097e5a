"""Which platforms a deployment talks to, and which config keys a use of one still lacks.

Each platform of ``third`` is

* ``live``: credentials of its own, its own API base;
* ``demo``: demo mode filled it in (:func:`config.loader.apply_demo_credentials`): the sandbox, with the PUBLIC
  credentials of :mod:`config.demo`;
* ``off``: no credentials. Its portal answers 404, its channels 422 naming the keys to set, and no process
  fetches a token or mints a QR code for it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from config import demo
from config.settings import Settings, ThirdSettings


class PlatformState(enum.StrEnum):
    LIVE = "live"
    DEMO = "demo"
    OFF = "off"


@dataclass(frozen=True)
class Platform:
    """One section of ``third``: its attribute, the field naming its app, and that field's demo value."""

    attribute: str
    app_field: str
    demo_app: str

    @property
    def key(self) -> str:
        """How the config file spells the section: ``third.ding-talk``."""
        return config_key(self.attribute)


#: Every platform section, in the order ``imbridge config check`` shows them.
PLATFORMS = (
    Platform("wechat", "app_id", demo.WECHAT_APP_ID),
    Platform("wechat_applet", "app_id", demo.WECHAT_APPLET_APP_ID),
    Platform("wechat_open", "app_id", demo.WECHAT_OPEN_APP_ID),
    Platform("wecom", "corp_id", demo.WECOM_CORP_ID),
    Platform("ding_talk", "app_key", demo.DINGTALK_APP_KEY),
)


@dataclass(frozen=True)
class PlatformStatus:
    platform: Platform
    state: PlatformState
    api_base_url: str


def config_key(attribute: str, field: str | None = None) -> str:
    """``third.ding-talk.app-key`` for (``ding_talk``, ``app_key``): the spelling an operator writes."""
    key = "third." + attribute.replace("_", "-")
    return f"{key}.{field.replace('_', '-')}" if field else key


def status(settings: Settings, platform: Platform) -> PlatformStatus:
    section = getattr(settings.third, platform.attribute)
    if not section.configured:
        state = PlatformState.OFF
    elif getattr(section, platform.app_field) == platform.demo_app:
        state = PlatformState.DEMO
    else:
        state = PlatformState.LIVE
    return PlatformStatus(platform, state, section.api_base_url)


def statuses(settings: Settings) -> list[PlatformStatus]:
    """Every platform's state, in :data:`PLATFORMS` order."""
    return [status(settings, platform) for platform in PLATFORMS]


def missing_keys(third: ThirdSettings, attribute: str, fields: Iterable[str]) -> list[str]:
    """The keys among ``fields`` of ``third.<attribute>`` that have no value, as the config file spells them."""
    section = getattr(third, attribute)
    return [config_key(attribute, field) for field in fields if getattr(section, field) in (None, "")]
