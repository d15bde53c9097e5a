"""The arguments of ``imbridge sandbox`` (run by :mod:`sandbox.cli`).

Apart from the sandbox because every ``imbridge`` command builds the whole parser: importing the sandbox for its
arguments loaded its app (Falcon, httpx, the fake platforms: 16 MB) into the ingress, the workers and the scheduler.
"""

from __future__ import annotations

import argparse


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the sandbox sub-commands to ``parser`` (``serve`` when none is given)."""
    commands = parser.add_subparsers(dest="sandbox_command", metavar="{serve,scan,say}")
    commands.add_parser("serve", help="serve the fake platforms on sandbox.host:sandbox.port (the default)")

    scan = commands.add_parser("scan", help="scan a login QR code, as WeChat reports it to the ingress")
    scan.add_argument("--key", required=True, help="the qrCodeKey from /token/wechat/qr/applyQrCode")
    scan.add_argument("--openid", default=None, help="who scans (default: the demo follower)")
    scan.add_argument("--existing", action="store_true",
                      help="an existing follower: SCAN with EventKey login_<key> (default: a new follower's "
                           "subscribe with qrscene_login_<key>)")
    scan.add_argument("--account", default=None,
                      help="the Official Account of third.accounts whose code it is: its portal, signed with its keys")
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
