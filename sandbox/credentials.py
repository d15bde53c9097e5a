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
    #: The other accounts' WeCom apps (``third.accounts``): (corp id, secret) -> agent id. Their tokens are issued
    #: to ``<corpid>:<agentid>``, the default app's to ``<corpid>``.
    more_wecom_apps: dict[tuple[str, str], int | None] = field(default_factory=dict)
    #: The other accounts' DingTalk apps: app key -> (secret, agent id).
    more_dingtalk_apps: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    #: The other accounts' mini-programs (``third.accounts``, platform ``wechat-applet``): their app ids.
    more_applet_app_ids: frozenset[str] = frozenset()

    def is_applet(self, app_id: str | None) -> bool:
        """Whether ``app_id`` is a mini-program's (the default's or another account's)."""
        return bool(app_id) and (app_id == self.applet_app_id or app_id in self.more_applet_app_ids)

    def wecom_app(self, corp_id: str, secret: str) -> str | None:
        """The app key tokens of (corp id, secret) are issued to, or None when no app has them."""
        if corp_id == self.wecom_corp_id and secret == self.wecom_corp_secret:
            return corp_id
        if (corp_id, secret) in self.more_wecom_apps:
            return f"{corp_id}:{self.more_wecom_apps[(corp_id, secret)]}"
        return None

    def wecom_corp_known(self, corp_id: str) -> bool:
        return corp_id == self.wecom_corp_id or any(corp == corp_id for corp, _ in self.more_wecom_apps)

    def wecom_agent(self, app: str) -> str:
        """The agent id of the WeCom app a token was issued to."""
        agent = app.partition(":")[2]
        return agent if agent else str(self.wecom_agent_id)

    def dingtalk_app(self, app_key: str, secret: str) -> bool:
        if app_key == self.dingtalk_app_key:
            return secret == self.dingtalk_app_secret
        return app_key in self.more_dingtalk_apps and self.more_dingtalk_apps[app_key][0] == secret

    def dingtalk_agent(self, app_key: str | None) -> str:
        """The agent id of a DingTalk app (the default's when ``app_key`` is not another account's)."""
        if app_key in self.more_dingtalk_apps:
            return str(self.more_dingtalk_apps[app_key][1])
        return str(self.dingtalk_agent_id)

    def dingtalk_app_keys(self) -> set[str]:
        return {k for k in (self.dingtalk_app_key, *self.more_dingtalk_apps) if k}

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
            more_wecom_apps={(a.corp_id, a.corp_secret): a.agent_id for a in third.accounts
                             if a.platform == "wecom" and a.corp_id and a.corp_secret},
            more_dingtalk_apps={a.app_key: (a.app_secret, a.agent_id) for a in third.accounts
                                if a.platform == "ding-talk" and a.app_key and a.app_secret},
            more_applet_app_ids=frozenset(a.app_id for a in third.accounts
                                          if a.platform == "wechat-applet" and a.app_id),
        )
