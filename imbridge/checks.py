"""``imbridge config check``: the effective settings, secrets masked, each platform's state, and what cannot work."""

from __future__ import annotations

import sys

import yaml

from config import Settings, masked_dump
from config.platforms import PlatformState, statuses

#: The ingress hosts demo mode is meant for: the public demo credentials sign callbacks only a local user can send.
LOOPBACK_HOSTS = frozenset({"127.0.0.1"})


def problems_with(settings: Settings) -> list[str]:
    """What loading could not see: reachability of the database and Redis."""
    from models import Database

    problems = []
    try:
        database = Database.from_settings(settings)
        database.ping()
        database.dispose()
    except Exception as exc:  # every driver error means the same to an operator
        problems.append(f"database.url: cannot connect ({type(exc).__name__}: {str(exc).splitlines()[0][:200]})")
    if settings.redis.url:
        import redis

        try:
            redis.Redis.from_url(settings.redis.url, socket_connect_timeout=3).ping()
        except Exception as exc:
            problems.append(f"redis.url: cannot connect ({type(exc).__name__})")
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
               "WeCom app: 企业微信授权登录 Web 授权回调域 and 可信域名")]
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
