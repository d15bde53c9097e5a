"""The settings model.

Keys are snake_case here; the YAML file may spell them in the seed's kebab-case (`app-key`), the loader folds
both. Environment variables override the file: ``IMBRIDGE_<SECTION>__<KEY>``, e.g. ``IMBRIDGE_REDIS__URL``.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, IPvAnyNetwork, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

#: Where the embedded defaults keep their data (SQLite file, Valkey AOF, generated secret key).
DEFAULT_VAR_DIR = Path("var")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def _check_aes_key(value: str | None) -> str | None:
    """An EncodingAESKey is 43 base64 characters that decode (with one '=') to 32 bytes."""
    if value in (None, ""):
        return None
    if len(value) != 43:
        raise ValueError(f"must be 43 base64 characters, got {len(value)}")
    try:
        raw = base64.b64decode(value + "=", validate=True)
    except binascii.Error as exc:
        raise ValueError("is not valid base64") from exc
    if len(raw) != 32:
        raise ValueError("must decode to 32 bytes")
    return value


class WeChatSettings(_Section):
    """An Official Account (公众号): API credentials and the callback's token and AES key."""

    app_id: str | None = None
    app_secret: str | None = None
    token: str | None = None
    encoding_aes_key: str | None = None
    api_base_url: str = "https://api.weixin.qq.com"
    #: ``stable`` uses /cgi-bin/stable_token, which does not invalidate tokens other systems hold.
    token_mode: Literal["stable", "classic"] = "stable"
    #: Whether this account hands out login QR codes (a pool of its own); unset: the default account does, the
    #: others do not (see :mod:`core.login.accounts`).
    qr_login: bool | None = None

    _aes = field_validator("encoding_aes_key")(classmethod(lambda cls, v: _check_aes_key(v)))

    @property
    def configured(self) -> bool:
        return bool(self.app_id and self.app_secret)


class WeChatAppletSettings(_Section):
    """A mini-program, used for ``wx.login`` code exchange."""

    app_id: str | None = None
    app_secret: str | None = None
    api_base_url: str = "https://api.weixin.qq.com"

    @property
    def configured(self) -> bool:
        return bool(self.app_id and self.app_secret)


class WeChatOpenSettings(_Section):
    """A website app on WeChat's open platform (开放平台): website QR sign-in (``snsapi_login``)."""

    app_id: str | None = None
    app_secret: str | None = None
    api_base_url: str = "https://api.weixin.qq.com"
    #: Where the browser is sent to sign in (the sandbox's fake page in demo mode).
    authorize_url: str = "https://open.weixin.qq.com/connect/qrconnect"

    @property
    def configured(self) -> bool:
        return bool(self.app_id and self.app_secret)


class WeComSettings(_Section):
    """A WeCom (企业微信) self-built app: corp credentials, the app's agent id, the callback's token and key."""

    corp_id: str | None = None
    corp_secret: str | None = None
    agent_id: int | None = Field(default=None, ge=0)
    token: str | None = None
    encoding_aes_key: str | None = None
    api_base_url: str = "https://qyapi.weixin.qq.com"
    #: Where the browser is sent for WeCom web login (the sandbox's fake page in demo mode).
    login_url: str = "https://login.work.weixin.qq.com/wwlogin/sso/login"

    _aes = field_validator("encoding_aes_key")(classmethod(lambda cls, v: _check_aes_key(v)))

    @property
    def configured(self) -> bool:
        return bool(self.corp_id and self.corp_secret)


class DingTalkSettings(_Section):
    """A DingTalk (钉钉) internal app: app key/secret and the agent id used for work notifications."""

    app_key: str | None = None
    app_secret: str | None = None
    agent_id: int | None = Field(default=None, ge=0)
    api_base_url: str = "https://oapi.dingtalk.com"
    #: The v1.0 API's base (``v1-api-base-url``); unset: ``https://api.dingtalk.com`` while ``api-base-url`` is
    #: DingTalk's own, else ``api-base-url`` (the sandbox serves both under ``/dingtalk``).
    v1_api_base_url: str | None = None
    #: The enterprise robot the group channels send as (``robot-code``); unset: the app's own robot, the AppKey.
    robot_code: str | None = None
    #: Where the browser is sent for website sign-in (``login-url``; the sandbox's fake page in demo mode).
    login_url: str = "https://login.dingtalk.com/oauth2/auth"

    @property
    def configured(self) -> bool:
        return bool(self.app_key and self.app_secret)


#: The account the seed's own blocks are: what an omitted ``account`` means everywhere.
DEFAULT_ACCOUNT = "default"
#: What an account code may be: it appears in portal URLs and API paths.
ACCOUNT_CODE_PATTERN = r"^[a-z0-9][a-z0-9-]{0,31}$"
#: The platforms an account may be of, as ``third.accounts[].platform`` and the API spell them.
ACCOUNT_PLATFORMS = ("wechat", "wechat-applet", "wecom", "ding-talk")


class _AccountEntry(BaseModel):
    """What every ``third.accounts`` entry has besides its platform's keys: the code that names it."""

    code: str = Field(pattern=ACCOUNT_CODE_PATTERN)


class WeChatAccountSettings(WeChatSettings, _AccountEntry):
    platform: Literal["wechat"]


class WeChatAppletAccountSettings(WeChatAppletSettings, _AccountEntry):
    platform: Literal["wechat-applet"]


class WeComAccountSettings(WeComSettings, _AccountEntry):
    platform: Literal["wecom"]


class DingTalkAccountSettings(DingTalkSettings, _AccountEntry):
    platform: Literal["ding-talk"]


#: One more account: an entry of ``third.accounts``, chosen by its ``platform``.
AccountSettings = Annotated[
    WeChatAccountSettings | WeChatAppletAccountSettings | WeComAccountSettings | DingTalkAccountSettings,
    Field(discriminator="platform"),
]


class ThirdSettings(_Section):
    """The seed's ``third:`` block, accepted verbatim, and ``accounts``: more apps of each platform, each named
    by a code (the seed's own blocks are the account ``default`` of their platform)."""

    ding_talk: DingTalkSettings = Field(default_factory=DingTalkSettings)
    wechat: WeChatSettings = Field(default_factory=WeChatSettings)
    wecom: WeComSettings = Field(default_factory=WeComSettings)
    wechat_applet: WeChatAppletSettings = Field(default_factory=WeChatAppletSettings)
    wechat_open: WeChatOpenSettings = Field(default_factory=WeChatOpenSettings)
    accounts: list[AccountSettings] = Field(default_factory=list)

    @field_validator("accounts")
    @classmethod
    def _codes_unique_per_platform(cls, accounts: list[AccountSettings]) -> list[AccountSettings]:
        seen: set[tuple[str, str]] = set()
        for account in accounts:
            if account.code == DEFAULT_ACCOUNT:
                raise ValueError(f"{account.platform} account code '{DEFAULT_ACCOUNT}' is taken: it is "
                                 f"third.{account.platform} itself; choose another code")
            if (account.platform, account.code) in seen:
                raise ValueError(f"{account.platform} account '{account.code}' is defined twice")
            seen.add((account.platform, account.code))
        return accounts


class PlatformCallsSettings(_Section):
    """How long our clients wait on the platforms' APIs (every platform of ``third``, robots included)."""

    #: Longest wait for each step of a platform call once connected: sending the request, each read of the answer,
    #: a free pooled connection. A call held longer fails as unreachable and is retried like a 5xx.
    timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    #: Longest wait for a new connection to a platform API.
    connect_timeout_seconds: float = Field(default=5.0, gt=0, le=300)


class RedisSettings(_Section):
    #: None means "start the embedded Valkey server" under ``imbridge up``.
    url: str | None = None


class BrokerSettings(_Section):
    #: The Dramatiq broker; None means the Redis above. ``amqp://`` selects RabbitMQ.
    url: str | None = None


class DatabaseSettings(_Section):
    #: None means SQLite at ``<var_dir>/imbridge.db``.
    url: str | None = None
    #: SQLite only. ``normal``: a commit survives a crash of any process; a power loss or an OS crash may undo
    #: the last commits (those since the write-ahead log was last synced). ``full``: every commit is synced
    #: to disk before it returns - a write costs ~20x more and throughput drops accordingly.
    sqlite_synchronous: Literal["normal", "full"] = "normal"


class IngressSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    #: Largest request body accepted anywhere (413 beyond).
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    #: Worker processes; each serves on its own socket and its own interpreter. One by default: on a small
    #: machine (2 cores) the ingress shares the cores with the Dramatiq worker, which does the larger part of each
    #: message's work, and a second process costs about 40 MB idle and 60 MB once serving (``bench/memory.py``).
    #: Each process uses up to a core (its interpreter lock): raise it where cores are to spare.
    workers: int = Field(default=1, ge=1)
    #: Threads per worker process that run the app (a request waiting on Redis or the database holds one).
    threads: int = Field(default=32, ge=1, le=1024)
    #: Largest request body on the media upload routes only (413 beyond). File bytes past WeChat's largest
    #: limit (10 MB) are counted, not kept, so a file too large for its type is a 422 that says its size.
    media_max_body_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    #: Behind a reverse proxy: the header that carries the client's address (``X-Real-IP``, or
    #: ``X-Forwarded-For``, whose last entry is the proxy's). Empty: the peer address. Per-client limits use it.
    client_ip_header: str = ""
    #: Most notifications one ``POST /api/v1/notifications/batch`` may carry (413 beyond).
    max_batch_notifications: int = Field(default=100, ge=1, le=1000)
    #: How long a starting ingress waits for its port to be freed (a predecessor shutting down) before it exits.
    port_wait_seconds: float = Field(default=5.0, ge=0, le=120)


class SandboxSettings(_Section):
    """The fake platforms (``sandbox/``), and demo mode."""

    #: Demo mode: every platform without credentials of its own is played by the sandbox, with the PUBLIC demo
    #: credentials of ``config.demo`` (anyone can sign callbacks with them: never in production). None (not
    #: said): off, except under ``imbridge up`` run with no config file. Off, a platform without credentials is
    #: off: its portal answers 404, its channels 422.
    enabled: bool | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=8900, ge=1, le=65535)


class SecuritySettings(_Section):
    #: Encrypts robot secrets at rest and signs login tokens. Generated under var/ by ``up`` when unset.
    secret_key: str | None = None


class SchedulerSettings(_Section):
    #: Seconds between heartbeats (proves the scheduler is alive and leading).
    heartbeat_seconds: float = Field(default=30.0, gt=0)
    #: The leader lock expires this long after the leader stops renewing it; a standby takes over then.
    leader_ttl_seconds: float = Field(default=15.0, gt=0)


class TokensSettings(_Section):
    #: A token stops being handed out this long before the platform says it expires.
    margin_seconds: int = Field(default=300, ge=0)
    #: How often the scheduler looks for tokens close to their margin and refreshes them.
    check_seconds: float = Field(default=60.0, gt=0)


class NotificationsSettings(_Section):
    """Delivery of robot and work notifications: rate limits, retry budget, outbox sweep."""

    #: Messages per window to one DingTalk or WeCom robot (the platforms allow 20 a minute); None: no limit.
    robot_rate_limit: int | None = Field(default=20, ge=1)
    #: WeCom app messages per window to one member (the platform drops the excess silently); None: no limit.
    recipient_rate_limit: int | None = Field(default=30, ge=1)
    #: The platforms' rate window.
    rate_window_seconds: float = Field(default=60.0, gt=0)
    #: WeCom app messages to one member per hourly window (the platform's second limit, also dropped silently).
    recipient_hourly_limit: int | None = Field(default=1000, ge=1)
    #: The platform's hour (tests shorten it).
    recipient_hourly_window_seconds: float = Field(default=3600.0, gt=0)
    #: Added to the window when deciding whether a send may go now: covers network jitter between our clock
    #: and the platform's. Twice this is added when booking a later slot, so a slightly late wake-up still fits.
    rate_margin_seconds: float = Field(default=2.0, ge=0)
    #: How long a robot that answered 130101 (DingTalk, "send too fast") is left alone.
    dingtalk_robot_penalty_seconds: float = Field(default=600.0, ge=0)
    #: How long a robot that answered 45009 (WeCom, over its minute) is left alone.
    wecom_robot_penalty_seconds: float = Field(default=60.0, ge=0)
    #: Failed attempts (throttled ones do not count) before a delivery is given up as ``dead``.
    max_attempts: int = Field(default=10, ge=1)
    #: A delivery still not sent this long after it was accepted is given up as ``dead``.
    max_age_seconds: float = Field(default=86400.0, gt=0)
    #: First retry after about this long, doubling each time (with jitter) up to ``backoff_max_seconds``.
    backoff_base_seconds: float = Field(default=2.0, gt=0)
    backoff_max_seconds: float = Field(default=600.0, gt=0)
    #: A send in progress is presumed lost (worker died) after this long, and may be tried again.
    lease_seconds: float = Field(default=120.0, gt=0)
    #: How often the scheduler looks for deliveries that never reached, or fell off, the broker.
    outbox_check_seconds: float = Field(default=30.0, gt=0)
    #: A delivery whose broker message is this overdue is enqueued again.
    outbox_grace_seconds: float = Field(default=300.0, gt=0)
    #: DingTalk work notifications: read getsendresult this long after the send...
    send_result_delay_seconds: float = Field(default=60.0, ge=0)
    #: ...and again while the task is not finished, at most this many times.
    send_result_checks: int = Field(default=5, ge=1)
    #: Longest text a message template may render to (UTF-8 bytes), in a notification or a preview; a larger one
    #: is refused with 422 before it is built (a few placeholders and a long value would otherwise make megabytes).
    max_template_output_bytes: int = Field(default=64 * 1024, ge=1024, le=16 * 1024 * 1024)


class JobsSettings(_Section):
    """Admin jobs (template sync, menu publish, media uploads): retries and the sweep for lost ones."""

    #: Runs before a job that keeps meeting a busy platform (-1, 45011, 5xx, timeouts) is failed.
    max_attempts: int = Field(default=5, ge=1)
    #: First retry after about this long, doubling (with jitter) up to ``backoff_max_seconds``.
    backoff_base_seconds: float = Field(default=1.0, gt=0)
    backoff_max_seconds: float = Field(default=60.0, gt=0)
    #: A job not done this long after it was accepted is failed.
    max_age_seconds: float = Field(default=3600.0, gt=0)
    #: A running job is presumed lost (worker died) after this long, and may be run again.
    lease_seconds: float = Field(default=300.0, gt=0)
    #: How often the scheduler looks for jobs that never reached, or fell off, the broker...
    sweep_seconds: float = Field(default=60.0, gt=0)
    #: ...and how overdue their broker message must be.
    sweep_grace_seconds: float = Field(default=300.0, gt=0)


class WeChatAdminSettings(_Section):
    """Managing the Official Account: the template sync schedule."""

    #: The scheduler syncs the private templates (and the subscription templates) this often; None: on demand only.
    template_sync_seconds: float | None = Field(default=3600.0, gt=0)


class ClickReply(_Section):
    key: str = Field(min_length=1, max_length=128)
    text: str = Field(min_length=1)


class PortalSettings(_Section):
    """The WeChat / WeCom callbacks (``/wechat/portal``, ``/wecom/portal``)."""

    #: A callback whose ``timestamp`` is further than this from our clock is refused (replay protection).
    replay_window_seconds: int = Field(default=300, ge=1)
    #: Largest callback body; the platforms' messages are a few KiB.
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    #: How long a platform retry waits for the first delivery's reply before answering ``success``.
    retry_wait_seconds: float = Field(default=1.5, ge=0, le=4)
    #: Take plaintext-mode WeChat callbacks although ``third.wechat.encoding-aes-key`` is set. Off: only safe and
    #: compatible mode are taken, because the token signs a plaintext callback's query, never its body (anyone who
    #: saw one query could post any body under it). An account without an AES key is in plaintext mode and takes
    #: plaintext regardless.
    allow_plaintext: bool = False
    #: Never take plaintext-mode WeChat callbacks, not even from an account without an AES key (its portal then
    #: answers 404 until ``third.wechat.encoding-aes-key`` is set). With a key, plaintext is refused anyway.
    require_encryption: bool = False
    #: The text a new follower gets; empty: no reply.
    welcome_text: str = "Welcome! Thanks for following."
    #: Answer a text message with its own content when no handler claims it (a demo; off in production).
    echo_text: bool = False
    #: Menu ``click`` buttons and the text each answers (a list: config keys are folded, EventKeys are not).
    click_replies: list[ClickReply] = Field(default_factory=list)
    #: Modules holding your own handlers, imported by the ingress and every worker at start (besides installed
    #: distributions' ``imbridge.handlers`` entry points). One that fails to import is logged and skipped.
    handler_modules: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _plaintext_either_allowed_or_refused(self) -> PortalSettings:
        if self.allow_plaintext and self.require_encryption:
            raise ValueError("allow-plaintext and require-encryption contradict each other: set one")
        return self


class WebhooksSettings(_Section):
    """Outbound webhooks: inbound traffic posted to other systems."""

    #: Seconds one delivery may take in all: lookup, connect, sending and every read of the answer.
    timeout_seconds: float = Field(default=5.0, gt=0)
    #: Attempts per delivery, the first included; after that the delivery is marked failed.
    max_attempts: int = Field(default=8, ge=1, le=50)
    #: Back-off between attempts doubles from this (milliseconds) up to ``max_backoff_ms``.
    min_backoff_ms: int = Field(default=2000, ge=1)
    max_backoff_ms: int = Field(default=600_000, ge=1)
    #: Networks (CIDR, e.g. ``10.20.0.0/16``, ``127.0.0.1/32``) subscribers may be reached in although not
    #: public. Empty: only globally routable unicast addresses; loopback, link-local (cloud metadata), private,
    #: carrier-grade NAT, multicast, unspecified and reserved addresses are refused, at creation and at connect.
    allow_networks: list[IPvAnyNetwork] = Field(default_factory=list)

    @field_validator("allow_networks", mode="before")
    @classmethod
    def _say_what_is_wrong(cls, value: object) -> object:
        for entry in value if isinstance(value, list) else ():
            if isinstance(entry, str):
                ipaddress.ip_network(entry)  # "10.20.0.1/16 has host bits set" beats pydantic's "not valid"
        return value


class LoginSettings(_Section):
    """QR-code and mini-program login (``/token/...``, ``/user/third/bind``) and the pool of QR codes."""

    #: How long a handed-out login key lives (at most its code's remaining life): a login needs minutes.
    qr_lifetime_seconds: int = Field(default=300, ge=2, le=2_592_000)
    #: The life asked of WeChat for a pooled code (up to 30 days). A long life lets an idle pool keep a code
    #: ready for about one ``qrcode/create`` an hour; the key handed out still lives ``qr-lifetime-seconds``.
    pool_code_lifetime_seconds: int = Field(default=3600, ge=2, le=2_592_000)
    #: The most codes kept minted ahead, reached under demand (the pool's target is the number of applies
    #: in the last ``pool-demand-window-seconds``, between ``pool-min-size`` and this).
    pool_size: int = Field(default=20, ge=1, le=10_000)
    #: Codes kept ready while nobody applies (0: none; the first visitor waits for an on-demand mint).
    pool_min_size: int = Field(default=1, ge=0, le=10_000)
    #: The pool's target is the number of applyQrCode calls seen in this many seconds.
    pool_demand_window_seconds: float = Field(default=300.0, gt=0, le=86_400)
    #: With no apply in the window, top-ups mint at most this many codes in any hour.
    pool_idle_codes_per_hour: int = Field(default=12, ge=0, le=100_000)
    #: Requests that found the pool empty and wait for a code minted for them, at once across every ingress;
    #: more answer 503 ``busy`` with Retry-After at once (a burst must not queue unbounded WeChat calls).
    pool_max_concurrent_mints: int = Field(default=4, ge=0, le=1000)
    #: A pooled code with less life left than this is dropped: the user needs time to scan it.
    pool_min_remaining_seconds: int = Field(default=120, ge=1)
    #: How often the scheduler drops worn codes and tops the pool up.
    pool_check_seconds: float = Field(default=5.0, gt=0)
    #: How long applyQrCode waits for a fresh code when the pool is empty, before answering 503.
    apply_wait_seconds: float = Field(default=2.0, ge=0, le=10)
    #: Longest ``getStatus?wait=N``.
    max_status_wait_seconds: int = Field(default=25, ge=0, le=55)
    #: Long-polls one ingress process holds at once; more answer at once (with Retry-After), because a held
    #: poll occupies one of the process's 32 threads and the others must stay free for everything else.
    long_poll_slots: int = Field(default=16, ge=0, le=1000)
    #: Reply to the scan of a login code, in the WeChat chat (Chinese and English: the follower's language is
    #: unknown).
    scan_reply_text: str = "登录已确认，请回到浏览器。\nLogin confirmed: you can return to your browser."
    #: Reply to the scan of a code that expired or was used already.
    scan_expired_text: str = ("二维码已过期或已使用，请刷新页面获取新的二维码。\n"
                              "This login code has expired or was used; refresh the page for a new one.")
    #: Reply to the scan of someone no user is bound to: the browser's login is refused until an operator binds
    #: the account (POST /user/third/bind or the admin API); then the same scan logs in.
    scan_unbound_text: str = ("此微信号尚未绑定任何用户，登录被拒绝。请联系管理员绑定后再试。\n"
                              "This WeChat account is not bound to any user, so the login is refused; "
                              "ask an administrator to bind it, then try again.")
    #: How long a login token is valid.
    token_ttl_seconds: int = Field(default=7200, ge=60)
    #: How long a mini-program login waits for the worker's jscode2session answer.
    applet_wait_seconds: float = Field(default=5.0, gt=0, le=30)
    #: How long a website sign-in (WeChat open platform, WeCom) may take from its start to ``/token/login``.
    web_login_seconds: int = Field(default=300, ge=1, le=3600)
    #: How long the page a provider redirects back to waits for the worker's answer (long-poll, seconds).
    web_login_wait_seconds: float = Field(default=10.0, gt=0, le=25)
    #: imbridge's address as browsers reach it (``https://sso.example.com``), for the ``redirect_uri`` of a
    #: website sign-in; empty: the address of the request that starts it (its scheme and Host).
    public_url: str = ""
    #: Serve the demo page ``/demo/qr-login`` (in demo mode only: it drives the sandbox's fake phone).
    demo_page: bool = True
    #: applyQrCode calls one client may make per ``apply-rate-window-seconds`` (0: unlimited); more answer code 10106
    #: with Retry-After. The pool is shared by every visitor: one client must not be able to drain it.
    apply_rate_limit: int = Field(default=10, ge=0)
    apply_rate_window_seconds: int = Field(default=60, ge=1, le=3600)
    #: ``/token/login`` calls one client may make per ``login-rate-window-seconds`` (0: unlimited); more: code 10106
    #: with Retry-After. A mini-program login costs a jscode2session call and a thread waiting for its answer.
    login_rate_limit: int = Field(default=30, ge=0)
    login_rate_window_seconds: int = Field(default=60, ge=1, le=3600)
    #: ``/user/third/bind`` calls one client may make per ``bind-rate-window-seconds`` (0: unlimited); more: code 10106.
    bind_rate_limit: int = Field(default=10, ge=0)
    bind_rate_window_seconds: int = Field(default=60, ge=1, le=3600)
    #: Mini-program logins and binds one ingress process lets wait for WeChat's jscode2session answer at once;
    #: more answer 503 ``busy`` with Retry-After at once. Well under the process's 32 threads, so a slow WeChat
    #: cannot take the threads platform callbacks need to answer within WeChat's 5 s.
    max_concurrent_applet_logins: int = Field(default=8, ge=1, le=1000)

    @model_validator(mode="after")
    def _pool_codes_outlive_their_margin(self) -> LoginSettings:
        if self.pool_min_remaining_seconds >= self.pool_code_lifetime_seconds:
            raise ValueError("pool-min-remaining-seconds must be below pool-code-lifetime-seconds")
        if self.pool_min_size > self.pool_size:
            raise ValueError("pool-min-size must not exceed pool-size")
        return self


class LoggingSettings(_Section):
    """What every process logs, and how: the level per logger and the line format."""

    #: The level of every ``imbridge.*`` logger (and the root's) unless ``levels`` says otherwise.
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    #: Levels per logger name, e.g. ``{"imbridge.workers": "DEBUG", "dramatiq": "WARNING"}``.
    levels: dict[str, Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]] = Field(default_factory=dict)
    #: ``text``: one readable line; ``json``: one JSON object a line (for a log pipeline), ids as fields.
    format: Literal["text", "json"] = "text"

    @field_validator("level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("levels", mode="before")
    @classmethod
    def _upper_each(cls, value: object) -> object:
        if isinstance(value, dict):
            return {str(k): v.upper() if isinstance(v, str) else v for k, v in value.items()}
        return value


class RetentionSettings(_Section):
    """How long finished records are kept; the scheduler prunes older ones in small batches."""

    #: The age past which every kind below is pruned unless its own key says otherwise; None: keep forever.
    days: float | None = Field(default=30.0, gt=0)
    #: Notifications (deliveries) no longer in flight, with their attempts; None: ``days``.
    deliveries_days: float | None = Field(default=None, gt=0)
    #: Inbound messages and events recorded from the portals; None: ``days``.
    inbound_days: float | None = Field(default=None, gt=0)
    #: Webhook deliveries that succeeded or failed for good; None: ``days``.
    webhook_deliveries_days: float | None = Field(default=None, gt=0)
    #: Admin jobs that succeeded or failed; None: ``days``.
    jobs_days: float | None = Field(default=None, gt=0)
    #: How often the scheduler prunes.
    check_seconds: float = Field(default=3600.0, gt=0)
    #: Rows deleted per statement: each is a short transaction, so intake never waits long for the write lock.
    batch_size: int = Field(default=200, ge=1, le=100_000)
    #: Pause between batches (seconds), leaving the database to the intake.
    batch_pause_seconds: float = Field(default=0.05, ge=0)

    def age_days(self, kind: str) -> float | None:
        """The retention of ``kind`` (``deliveries``, ``inbound``, ``webhook_deliveries``, ``jobs``)."""
        own = getattr(self, f"{kind}_days")
        return own if own is not None else self.days


class Settings(BaseSettings):
    """Everything an imbridge process needs to know."""

    model_config = SettingsConfigDict(
        env_prefix="IMBRIDGE_", env_nested_delimiter="__", extra="ignore", case_sensitive=False
    )

    third: ThirdSettings = Field(default_factory=ThirdSettings)
    platform_calls: PlatformCallsSettings = Field(default_factory=PlatformCallsSettings)
    redis: RedisSettings = Field(default_factory=RedisSettings)
    broker: BrokerSettings = Field(default_factory=BrokerSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    ingress: IngressSettings = Field(default_factory=IngressSettings)
    sandbox: SandboxSettings = Field(default_factory=SandboxSettings)
    security: SecuritySettings = Field(default_factory=SecuritySettings)
    scheduler: SchedulerSettings = Field(default_factory=SchedulerSettings)
    tokens: TokensSettings = Field(default_factory=TokensSettings)
    notifications: NotificationsSettings = Field(default_factory=NotificationsSettings)
    jobs: JobsSettings = Field(default_factory=JobsSettings)
    wechat_admin: WeChatAdminSettings = Field(default_factory=WeChatAdminSettings)
    portal: PortalSettings = Field(default_factory=PortalSettings)
    webhooks: WebhooksSettings = Field(default_factory=WebhooksSettings)
    login: LoginSettings = Field(default_factory=LoginSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)
    var_dir: Path = DEFAULT_VAR_DIR

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The file arrives as init kwargs; the environment must win over it.
        return (env_settings, init_settings)

    @property
    def database_url(self) -> str:
        return self.database.url or f"sqlite:///{self.var_dir / 'imbridge.db'}"

    @property
    def broker_url(self) -> str | None:
        return self.broker.url or self.redis.url

    @property
    def demo(self) -> bool:
        """Demo mode (``sandbox.enabled: true``): unconfigured platforms get the sandbox and the demo credentials."""
        return self.sandbox.enabled is True

    @property
    def sandbox_url(self) -> str:
        return f"http://{self.sandbox.host}:{self.sandbox.port}"
