"""The platform clients a process uses, built once from its settings and sharing one token store.

The one place settings become platform clients: ``platforms/`` takes plain arguments and knows nothing of our
settings. Clients hold pooled httpx connections and are thread safe, so every actor thread of a process shares them.
"""

from __future__ import annotations

import threading
from functools import cached_property

import httpx
import redis

from config import Settings
from config.settings import DEFAULT_ACCOUNT
from core.accounts import SECTIONS, Accounts
from core.tokens import RedisTokenStore
from platforms.dingtalk import DingTalkClient, DingTalkRobot
from platforms.tokens import StoreTokenSource
from platforms.wechat import WeChatAppletClient, WeChatClient, WeChatOpenClient
from platforms.wecom import WeComClient, WeComRobot


class PlatformClients:
    """Lazily built clients for the configured apps and robots: those of the default accounts, and through
    :meth:`for_account` those of any other account (each app's token in its own slot, keyed by its app id).

    :param accounts: the registry other accounts are looked up in; None: the config's accounts only.
    """

    def __init__(self, settings: Settings, redis_client: redis.Redis, token_margin_seconds: int = 300,
                 accounts: Accounts | None = None) -> None:
        self.settings = settings
        self.token_store = RedisTokenStore(redis_client, margin_seconds=token_margin_seconds)
        waits = settings.platform_calls
        #: Every client's timeout (``platforms.timeout-seconds``, ``platforms.connect-timeout-seconds``).
        self.timeout = httpx.Timeout(waits.timeout_seconds, connect=waits.connect_timeout_seconds)
        self.accounts = accounts or Accounts(settings)
        self._redis = redis_client
        self._margin = token_margin_seconds
        self._views: dict[str, tuple[tuple[object, ...], PlatformClients]] = {}
        self._views_lock = threading.Lock()

    def for_account(self, code: str | None) -> PlatformClients:
        """The clients of account ``code`` on every platform that has one by that code (the others are left
        unconfigured); ``None`` or ``default``: these. Rebuilt when an account's settings changed."""
        if code in (None, DEFAULT_ACCOUNT):
            return self
        found = tuple(self.accounts.get(platform, code) for platform in SECTIONS)
        fingerprint = tuple(a.settings if a is not None else None for a in found)
        with self._views_lock:
            cached = self._views.get(code)
            if cached is not None and cached[0] == fingerprint:
                return cached[1]
            third = self.settings.third.model_copy(update={
                section: account.settings if account is not None else model()
                for (section, model), account in zip(SECTIONS.values(), found, strict=True)})
            view = PlatformClients(self.settings.model_copy(update={"third": third}), self._redis, self._margin,
                                   self.accounts)
            view.token_store = self.token_store
            self._views[code] = (fingerprint, view)
            return view

    def wechat_for(self, code: str | None) -> WeChatClient:
        """The Official Account ``code``'s client."""
        return self.for_account(code).wechat

    @cached_property
    def wechat(self) -> WeChatClient:
        s = self.settings.third.wechat
        return WeChatClient(s.app_id, s.app_secret, self.token_store, api_base_url=s.api_base_url,
                            token_mode=s.token_mode, timeout=self.timeout)

    @cached_property
    def wechat_applet(self) -> WeChatAppletClient:
        s = self.settings.third.wechat_applet
        return WeChatAppletClient(s.app_id, s.app_secret, self.token_store, api_base_url=s.api_base_url,
                                  timeout=self.timeout)

    @cached_property
    def wechat_open(self) -> WeChatOpenClient:
        s = self.settings.third.wechat_open
        return WeChatOpenClient(s.app_id, s.app_secret, api_base_url=s.api_base_url)

    @cached_property
    def wecom(self) -> WeComClient:
        s = self.settings.third.wecom
        return WeComClient(s.corp_id, s.corp_secret, s.agent_id, self.token_store, api_base_url=s.api_base_url,
                           timeout=self.timeout)

    @cached_property
    def dingtalk(self) -> DingTalkClient:
        s = self.settings.third.ding_talk
        return DingTalkClient(s.app_key, s.app_secret, s.agent_id, self.token_store, api_base_url=s.api_base_url,
                              timeout=self.timeout, v1_base_url=s.v1_api_base_url)

    @property
    def dingtalk_robot_code(self) -> str:
        """The enterprise robot the group channels send as: ``robot-code``, else the app's own (its AppKey)."""
        s = self.settings.third.ding_talk
        return s.robot_code or s.app_key or ""

    @cached_property
    def dingtalk_robot(self) -> DingTalkRobot:
        return DingTalkRobot(self.settings.third.ding_talk.api_base_url, timeout=self.timeout)

    @cached_property
    def wecom_robot(self) -> WeComRobot:
        return WeComRobot(self.settings.third.wecom.api_base_url, timeout=self.timeout)

    def token_sources(self) -> dict[str, StoreTokenSource]:
        """The token slot of every configured app of every account (what the scheduler keeps fresh): the default
        accounts' by platform (``wechat``), the others' with their code (``wechat:sales``)."""
        sources = self._own_token_sources()
        for code in dict.fromkeys(a.code for a in self.accounts.listed() if a.code != DEFAULT_ACCOUNT):
            for name, source in self.for_account(code)._own_token_sources().items():
                sources[f"{name}:{code}"] = source
        return sources

    def _own_token_sources(self) -> dict[str, StoreTokenSource]:
        third = self.settings.third
        sources = {}
        if third.wechat.configured:
            sources["wechat"] = self.wechat.token
        if third.wechat_applet.configured:
            sources["wechat_applet"] = self.wechat_applet.token
        if third.wecom.configured:
            sources["wecom"] = self.wecom.token
        if third.ding_talk.configured:
            sources["dingtalk"] = self.dingtalk.token
            sources["dingtalk_v1"] = self.dingtalk.v1_token
        return sources

    def close(self) -> None:
        with self._views_lock:
            views = [view for _, view in self._views.values()]
            self._views.clear()
        for view in views:
            view.close()
        for name in ("wechat", "wechat_applet", "wechat_open", "wecom", "dingtalk", "dingtalk_robot", "wecom_robot"):
            client = self.__dict__.get(name)
            if client is not None:
                client.close()
