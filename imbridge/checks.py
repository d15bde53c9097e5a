"""``imbridge config check``: the effective settings, secrets masked, each platform's state, and what cannot work."""

from __future__ import annotations

import os
import sys
from urllib.parse import urlsplit

import yaml

from config import Settings, masked_dump
from config.known_keys import unknown_environment
from config.placeholders import placeholder_keys
from config.platforms import PlatformState, statuses

#: The ingress hosts demo mode is meant for: the public demo credentials sign callbacks only a local user can send.
LOOPBACK_HOSTS = frozenset({"127.0.0.1"})


#: The schemes redis-py connects with.
REDIS_SCHEMES = ("redis", "rediss", "unix")
#: Where a URL without a port connects.
DEFAULT_PORTS = {"redis": 6379, "rediss": 6379, "postgresql": 5432, "postgres": 5432, "amqp": 5672}


def connection_reason(exc: BaseException, url: str) -> str:
    """Why a connection failed, as an operator reads it: ``connection refused to 127.0.0.1:6390``.

    The driver's exception wraps the socket error; its ``strerror`` and the URL's address say it best.
    """
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, OSError) and cause.strerror:
            parts = urlsplit(url)
            port = parts.port or DEFAULT_PORTS.get(parts.scheme.split("+")[0], "")
            where = f"{parts.hostname}:{port}" if parts.hostname else parts.path
            return f"{cause.strerror[0].lower()}{cause.strerror[1:]} to {where}"
        if isinstance(cause, TimeoutError):
            return f"timed out connecting to {urlsplit(url).netloc.rpartition('@')[2]}"
        cause = cause.__cause__ or cause.__context__
    text = str(exc).splitlines()[0][:200] if str(exc) else ""
    return f"{text} ({type(exc).__name__})" if text else type(exc).__name__


def redis_problem(url: str) -> str | None:
    """Why Redis at ``url`` cannot be used, or None when it answers PING."""
    import redis

    scheme = urlsplit(url).scheme
    if scheme not in REDIS_SCHEMES:
        return f"invalid URL scheme {scheme or '(none)'} (expected {', '.join(s + '://' for s in REDIS_SCHEMES)})"
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=3)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:  # every driver error means the same to an operator: say which
        return f"cannot connect: {connection_reason(exc, url)}"
    return None


def problems_with(settings: Settings) -> list[str]:
    """What loading could not see: placeholders, unknown environment variables, the database and Redis."""
    from models import Database

    problems = [f"{key}: a placeholder, not a real value" for key in placeholder_keys(settings)]
    if problems:
        problems.append("(set each placeholder to the value in the platform's console, or delete the platform's "
                        "block to turn it off)")
    problems += unknown_environment(os.environ)
    try:
        database = Database.from_settings(settings)
        database.ping()
        database.dispose()
    except Exception as exc:  # every driver error means the same to an operator
        problems.append(f"database.url: cannot connect ({connection_reason(exc, settings.database_url)})")
    if settings.redis.url:
        problem = redis_problem(settings.redis.url)
        if problem:
            problems.append(f"redis.url: {problem}")
    return problems


def demo_warnings(settings: Settings) -> list[str]:
    """Why demo mode is dangerous here: anyone who reaches the ingress can sign callbacks with public credentials."""
    if not settings.demo or settings.ingress.host in LOOPBACK_HOSTS:
        return []
    demo = [s.platform.key for s in statuses(settings) if s.state is PlatformState.DEMO]
    if not demo:
        return []
    return [f"demo mode is on and the ingress listens on {settings.ingress.host}: whoever reaches it can forge "
            f"callbacks and logins with the PUBLIC demo credentials of {', '.join(demo)}. Set ingress.host to "
            "127.0.0.1, or use a config file without sandbox.enabled: true (platforms without credentials are "
            "then off)"]


def platform_summary(settings: Settings) -> str:
    """One line: ``wechat live, wechat-applet off, wecom demo, ding-talk off``."""
    return ", ".join(f"{s.platform.key.removeprefix('third.')} {s.state}" for s in statuses(settings))


def platform_lines(settings: Settings) -> list[str]:
    """Each platform's state and API base, and what demo mode means when it is on."""
    lines = ["platforms:"]
    for found in statuses(settings):
        name = found.platform.key.removeprefix("third.")
        note = {PlatformState.DEMO: "   (the sandbox, with the PUBLIC demo credentials)",
                PlatformState.OFF: "   (no credentials: portal 404, channels 422)"}.get(found.state, "")
        lines.append(f"  {name:<14} {found.state:<5} {found.api_base_url}{note}")
    for account in settings.third.accounts:  # more accounts: each platform's seed block is its "default"
        state = "live" if account.configured else "off"
        has_portal = account.platform in ("wechat", "wecom")
        portal = f"   portal /{account.platform}/portal/{account.code}" if has_portal else ""
        qr_login = "   QR login" if getattr(account, "qr_login", None) else ""
        lines.append(f"  {account.platform + '/' + account.code:<14} {state:<5} {account.api_base_url}{portal}"
                     f"{qr_login}")
    if settings.demo:
        lines.append("demo mode: on (sandbox.enabled: true, or `imbridge up` with no config file)")
    else:
        lines.append("demo mode: off (a platform without credentials is off)")
    return lines


def sign_in_lines(settings: Settings) -> list[str]:
    """The redirect URL each configured website sign-in needs registered in its provider's console."""
    base = settings.login.public_url.rstrip("/") or "https://<the host browsers reach>"
    third = settings.third
    wanted = [("wechat-open", third.wechat_open.configured, "open platform: 授权回调域 (callback domain)"),
              ("wecom", third.wecom.configured and third.wecom.agent_id is not None,
               "WeCom app: 企业微信授权登录 Web 授权回调域 and 可信域名"),
              ("dingtalk", third.ding_talk.configured, "DingTalk app: 安全设置 重定向URL, the whole URL")]
    lines = [f"  {name:<14} {base}/token/{name}/callback   ({where})" for name, on, where in wanted if on]
    return ["website sign-in redirect URLs (register their host):", *lines] if lines else []


def check_settings(settings: Settings) -> int:
    print(yaml.safe_dump(masked_dump(settings), sort_keys=False, allow_unicode=True), end="")
    print("\n" + "\n".join(platform_lines(settings) + sign_in_lines(settings)))
    for warning in demo_warnings(settings):
        print(f"\nWarning: {warning}", file=sys.stderr)
    problems = problems_with(settings)
    if problems:
        print("\nProblems:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print("\nconfiguration OK")
    return 0
