"""The platform clients a process uses, built once from its settings and sharing one token store.

The one place settings become platform clients: ``platforms/`` takes plain arguments and knows nothing of our
settings. Clients hold pooled httpx connections and are thread safe, so every actor thread of a process shares them.
"""

from __future__ import annotations

from functools import cached_property

import httpx
import redis

from config import Settings
from core.tokens import RedisTokenStore
from platforms.dingtalk import DingTalkClient, DingTalkRobot
from platforms.tokens import StoreTokenSource
from platforms.wechat import WeChatAppletClient, WeChatClient, WeChatOpenClient
from platforms.wecom import WeComClient, WeComRobot


class PlatformClients:
    """Lazily built clients for the configured apps and robots."""

    def __init__(self, settings: Settings, redis_client: redis.Redis, token_margin_seconds: int = 300) -> None:
        self.settings = settings
        self.token_store = RedisTokenStore(redis_client, margin_seconds=token_margin_seconds)
        waits = settings.platform_calls
        #: Every client's timeout (``platforms.timeout-seconds``, ``platforms.connect-timeout-seconds``).
        self.timeout = httpx.Timeout(waits.timeout_seconds, connect=waits.connect_timeout_seconds)

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
        """The token slot of every configured app (what the scheduler keeps fresh)."""
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
        for name in ("wechat", "wechat_applet", "wechat_open", "wecom", "dingtalk", "dingtalk_robot", "wecom_robot"):
            client = self.__dict__.get(name)
            if client is not None:
                client.close()
