"""``imbridge sandbox``: run the fake platforms, or play the platform posting callbacks to our ingress.

::

    imbridge sandbox [serve]
    imbridge sandbox scan --key KEY [--openid O] [--existing] [--plain] [--ingress URL] [--sandbox URL]
    imbridge sandbox say TEXT [--openid O] [--plain] [--wecom] [--ingress URL] [--account CODE]

The main CLI owns the ``imbridge`` parser (the sandbox's arguments are in :mod:`imbridge.sandbox_args`, which
imports nothing of the sandbox: every ``imbridge`` command builds that parser) and calls :func:`run` with the parsed
arguments and the loaded settings.
"""

from __future__ import annotations

import argparse
import sys

import httpx

from config import Settings
from sandbox import callbacks


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the chosen sub-command; returns the process exit code."""
    command = getattr(args, "sandbox_command", None) or "serve"
    if command == "serve":
        from sandbox.server import serve

        print(f"sandbox platforms on {settings.sandbox_url} (control API at {settings.sandbox_url}/_sandbox)",
              flush=True)
        serve(settings)
        return 0
    ingress = (args.ingress or f"http://{settings.ingress.host}:{settings.ingress.port}").rstrip("/")
    try:
        if command == "scan":
            response = callbacks.scan(ingress, settings, args.key, args.openid or callbacks.DEMO_OPENID,
                                      existing=args.existing, safe=not args.plain,
                                      sandbox_url=args.sandbox_url or settings.sandbox_url, account=args.account)
        elif args.wecom:
            response = callbacks.wecom_say(ingress, settings, args.text, args.openid or callbacks.DEMO_WECOM_USER,
                                           account=args.account)
        else:
            response = callbacks.say(ingress, settings, args.text, args.openid or callbacks.DEMO_OPENID,
                                     safe=not args.plain, sandbox_url=settings.sandbox_url, account=args.account)
    except httpx.HTTPError as exc:
        print(f"cannot reach the ingress at {ingress}: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:  # an unknown --account
        print(str(exc), file=sys.stderr)
        return 2
    return _report(response, callbacks.as_account(settings, getattr(args, "account", None)),
                   "wecom" if getattr(args, "wecom", False) else "wechat")


def _report(response: httpx.Response, settings: Settings, platform: str) -> int:
    print(f"HTTP {response.status_code}")
    try:
        reply = callbacks.read_reply(response, settings, platform)
    except ValueError as exc:
        print(f"unreadable reply: {exc}: {response.text[:500]}", file=sys.stderr)
        return 1
    if reply is None:
        print("no reply")
    else:
        for key, value in reply.items():
            print(f"  {key}: {value}")
    return 0 if response.is_success else 1
