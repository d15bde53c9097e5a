"""Every unpleasantness the sandbox can switch on or off, in one validated model.

The defaults are the platforms' own numbers (PLATFORMS.md). Tests pass smaller ones to the constructor
(``SandboxOptions(token_lifetime_seconds=3)``); a running sandbox takes partial updates through
``POST /_sandbox/config``, e.g. ``{"robot_rate_limit": null}`` to lift the robot rate limits.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sandbox.errors import PLATFORMS


class SandboxOptions(BaseModel):
    """Knobs of the fake platforms; ``None`` on a limit means "no limit"."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Seconds an access token lives (all three platforms answer ``expires_in: 7200``).
    token_lifetime_seconds: int = Field(default=7200, ge=1)
    #: How long the previous classic WeChat token keeps working after a new fetch.
    classic_grace_seconds: float = Field(default=300, ge=0)
    #: stable_token issues a successor this long before the current one expires (both then work).
    stable_overlap_seconds: float = Field(default=300, ge=0)
    #: stable_token ``force_refresh: true`` is allowed this many times a day...
    stable_force_refresh_per_day: int = Field(default=20, ge=0)
    #: ...and at least this far apart.
    stable_force_refresh_interval_seconds: float = Field(default=30, ge=0)

    #: Platforms whose API rejects the caller's IP (40164 on WeChat, 60020 on WeCom and DingTalk).
    #: ``true`` means all three.
    ip_whitelist_fail: list[str] = Field(default_factory=list)

    #: Messages a robot accepts per window (DingTalk and WeCom: 20 a minute); ``None`` lifts the limit.
    robot_rate_limit: int | None = Field(default=20, ge=1)
    robot_window_seconds: float = Field(default=60, gt=0)
    #: A DingTalk robot that went over its limit refuses everything (130101) for this long.
    dingtalk_robot_penalty_seconds: float = Field(default=600, ge=0)
    #: DingTalk robot messages longer than this (bytes of the JSON body) get 460101.
    dingtalk_robot_max_bytes: int = Field(default=20000, ge=1)

    #: A DingTalk media_id works in one message only (what operators report, against the docs).
    dingtalk_media_single_use: bool = True
    #: DingTalk delivers the same content to the same user once a day; repeats land in ``forbidden``.
    dingtalk_same_content_once_a_day: bool = True
    #: How long a work-notification task takes to reach 100 % in getsendprogress.
    dingtalk_task_seconds: float = Field(default=0, ge=0)
    dingtalk_invalid_users: list[str] = Field(default_factory=list)
    dingtalk_forbidden_users: list[str] = Field(default_factory=list)
    dingtalk_failed_users: list[str] = Field(default_factory=list)
    dingtalk_read_users: list[str] = Field(default_factory=list)

    #: WeCom app messages to one member beyond this many a minute are dropped silently; ``None``: no limit.
    wecom_member_rate_limit: int | None = Field(default=30, ge=1)
    #: ... and beyond this many an hour (``wecom_member_hour_seconds``, shortened by tests); ``None``: no limit.
    wecom_member_hourly_limit: int | None = Field(default=1000, ge=1)
    wecom_member_hour_seconds: float = Field(default=3600, gt=0)
    wecom_invalid_users: list[str] = Field(default_factory=list)
    wecom_invalid_parties: list[str] = Field(default_factory=list)
    wecom_invalid_tags: list[str] = Field(default_factory=list)

    #: Openids that do not follow the account: template messages to them get 43004.
    wechat_non_followers: list[str] = Field(default_factory=list)
    #: Openids that follow the account, listed by ``user/get`` (with everyone the sandbox has seen interact, be
    #: remarked or tagged; without the non-followers above), in openid order.
    wechat_followers: list[str] = Field(default_factory=list)
    #: Openids per page of ``user/get`` and ``user/tag/get`` (WeChat: 10000); tests page with fewer.
    wechat_follower_page_size: int = Field(default=10000, ge=1, le=10000)
    #: Openids that did not subscribe to (or refused) subscription messages: sends to them get 43101.
    wechat_unsubscribed: list[str] = Field(default_factory=list)
    #: The account's server URL (its portal, ``http://127.0.0.1:8000/wechat/portal``): where the sandbox posts the
    #: events it sends by itself (MASSSENDJOBFINISH). ``imbridge sandbox`` sets it from the ingress's settings;
    #: ``None``: nothing is posted.
    wechat_server_url: str | None = None
    #: How long after a mass send its MASSSENDJOBFINISH event is posted (WeChat: once the send job finished).
    wechat_mass_report_delay_seconds: float = Field(default=3.0, ge=0, le=3600)
    #: A wx.login code lives this long after it was registered.
    jscode_lifetime_seconds: float = Field(default=300, gt=0)

    #: Temporary media (all platforms) live three days.
    media_lifetime_seconds: float = Field(default=3 * 86400, gt=0)
    #: The journal keeps this many newest entries.
    journal_limit: int = Field(default=10000, ge=1)
    #: ``/_sandbox/deliveries`` keeps this many newest messages (a long soak stays within bounded memory).
    deliveries_limit: int = Field(default=10000, ge=1)

    @field_validator("wechat_server_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("wechat_server_url must be an http(s) URL")
        return value

    @field_validator("ip_whitelist_fail", mode="before")
    @classmethod
    def _all_or_some(cls, value: Any) -> Any:
        if value is True:
            return list(PLATFORMS)
        if value in (False, None):
            return []
        if isinstance(value, str):
            value = [value]
        unknown = set(value) - set(PLATFORMS)
        if unknown:
            raise ValueError(f"unknown platforms {sorted(unknown)}")
        return value

    def updated(self, changes: dict[str, Any]) -> SandboxOptions:
        """A copy with ``changes`` applied and validated (``ValueError`` on unknown keys or bad values)."""
        return SandboxOptions.model_validate({**self.model_dump(), **changes})
