"""Which apps the fake platforms know, taken from the settings.

In demo mode every unconfigured platform carries the demo credentials of :mod:`config.demo` (and ``imbridge
sandbox`` with no config file runs in demo mode), so a default sandbox accepts exactly what a demo imbridge
sends. Anything else gets the platform's "bad appid / bad secret" answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from config import Settings


@dataclass(frozen=True)
class Credentials:
    #: appid -> secret for the Official Account and the mini-program (both use api.weixin.qq.com).
    wechat_apps: dict[str, str] = field(default_factory=dict)
    applet_app_id: str | None = None
    open_app_id: str | None = None
    wecom_corp_id: str | None = None
    wecom_corp_secret: str | None = None
    wecom_agent_id: int | None = None
    dingtalk_app_key: str | None = None
    dingtalk_app_secret: str | None = None
    dingtalk_agent_id: int | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Credentials:
        third = settings.third
        more = [a for a in third.accounts if a.platform in ("wechat", "wechat-applet")]  # several at once
        apps = {
            app.app_id: app.app_secret
            for app in (third.wechat, third.wechat_applet, third.wechat_open, *more)
            if app.app_id and app.app_secret
        }
        return cls(
            wechat_apps=apps,
            applet_app_id=third.wechat_applet.app_id,
            open_app_id=third.wechat_open.app_id,
            wecom_corp_id=third.wecom.corp_id,
            wecom_corp_secret=third.wecom.corp_secret,
            wecom_agent_id=third.wecom.agent_id,
            dingtalk_app_key=third.ding_talk.app_key,
            dingtalk_app_secret=third.ding_talk.app_secret,
            dingtalk_agent_id=third.ding_talk.agent_id,
        )
