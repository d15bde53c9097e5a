"""``imbridge sandbox``: run the fake platforms, or play the platform posting callbacks to our ingress.

::

    imbridge sandbox [serve]
    imbridge sandbox scan --key KEY [--openid O] [--existing] [--plain] [--ingress URL] [--sandbox URL]
    imbridge sandbox say TEXT [--openid O] [--plain] [--wecom] [--ingress URL] [--account CODE]

The main CLI owns the ``imbridge`` parser and hands the ``sandbox`` sub-parser to :func:`configure_parser`,
then calls :func:`run` with the parsed arguments and the loaded settings.
"""

from __future__ import annotations

import argparse
import sys

import httpx

from config import Settings
from sandbox import callbacks


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the sandbox sub-commands to ``parser`` (``serve`` when none is given)."""
    commands = parser.add_subparsers(dest="sandbox_command", metavar="{serve,scan,say}")
    commands.add_parser("serve", help="serve the fake platforms on sandbox.host:sandbox.port (the default)")

    scan = commands.add_parser("scan", help="scan a login QR code, as WeChat reports it to the ingress")
    scan.add_argument("--key", required=True, help="the qrCodeKey from /token/wechat/qr/applyQrCode")
    scan.add_argument("--openid", default=callbacks.DEMO_OPENID, help="who scans (default: the demo follower)")
    scan.add_argument("--existing", action="store_true",
                      help="an existing follower: SCAN with EventKey login_<key> (default: a new follower's "
                           "subscribe with qrscene_login_<key>)")
    _common(scan)
    scan.add_argument("--sandbox", dest="sandbox_url", default=None,
                      help="the sandbox to look the QR ticket up in (default: settings' sandbox URL)")

    say = commands.add_parser("say", help="send a text message to the account, as a follower")
    say.add_argument("text")
    say.add_argument("--openid", default=None, help="who says it (WeChat openid, or WeCom userid with --wecom)")
    say.add_argument("--wecom", action="store_true", help="a WeCom member writing to the app instead")
    say.add_argument("--account", default=None,
                     help="an account of third.accounts: its portal, signed with its token and key")
    _common(say)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--plain", action="store_true", help="WeChat plaintext mode instead of safe (AES) mode")
    parser.add_argument("--ingress", default=None, help="the ingress base URL (default: from the settings)")


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
            response = callbacks.scan(ingress, settings, args.key, args.openid, existing=args.existing,
                                      safe=not args.plain, sandbox_url=args.sandbox_url or settings.sandbox_url)
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
