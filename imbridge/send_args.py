"""The arguments of ``imbridge send`` and the REST body they describe: shared by the local mode (records and
enqueues itself) and the remote mode (sends through an imbridge's API with the Python client).

Nothing of the server is imported here: the remote mode needs only ``imbridge_client``.
"""

from __future__ import annotations

import argparse
import base64
import json
import mimetypes
import sys
from pathlib import Path
from typing import Any

#: The channels a notification may take (``models.deliveries.Channel``, spelled out: no server import here).
CHANNELS = ("dingtalk_robot", "wecom_robot", "dingtalk_work", "wecom_app", "wechat_template", "wechat_custom")
ROBOT_CHANNELS = ("dingtalk_robot", "wecom_robot")
#: The environment variables of the remote mode.
URL_ENV, API_KEY_ENV = "IMBRIDGE_URL", "IMBRIDGE_API_KEY"

#: How long ``--wait`` waits for a final status.
WAIT_SECONDS = 60.0


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.description = ("Accept a notification from the shell: recorded and enqueued here, or sent through a "
                          f"running imbridge's API with --url/--api-key (or ${URL_ENV}/${API_KEY_ENV}).")
    parser.add_argument("--channel", choices=CHANNELS, help="where the notification goes")
    parser.add_argument("--robot", help="robot code (robot channels)")
    parser.add_argument("--account", help="the account of the channel's platform that sends it (default: default)")
    parser.add_argument("--to-users", help="comma-separated user ids (work channels)")
    parser.add_argument("--to-departments", help="comma-separated department ids")
    parser.add_argument("--to-tags", help="comma-separated tag ids (WeCom)")
    parser.add_argument("--to-all", action="store_true", help="everyone (work channels)")
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--text", help="a text message")
    what.add_argument("--markdown", help="a markdown message (--title for DingTalk)")
    what.add_argument("--image", type=Path, help="an image file")
    what.add_argument("--file", type=Path, help="a file")
    what.add_argument("--message", help="the message in the platform's own shape, as JSON (or @file)")
    what.add_argument("--request", help="the whole REST body as JSON (or @file, or - for stdin)")
    parser.add_argument("--title", default="imbridge", help="title of a DingTalk markdown message")
    parser.add_argument("--template", help="message template code to fill the text with")
    parser.add_argument("--var", action="append", default=[], metavar="NAME=VALUE", help="a template variable")
    parser.add_argument("--wait", action="store_true", help=f"wait (up to {WAIT_SECONDS:g} s) for the outcome")
    remote = parser.add_argument_group("remote mode", "send through a running imbridge's API instead of its database "
                                                      "and broker (needs only the imbridge-client package)")
    remote.add_argument("--url", default=None, help=f"the imbridge's base URL (default: ${URL_ENV})")
    remote.add_argument("--api-key", default=None, help=f"a notify or admin API key (default: ${API_KEY_ENV})")


class UsageError(Exception):
    pass


def _json_arg(value: str) -> Any:
    text = sys.stdin.read() if value == "-" else Path(value[1:]).read_text("utf-8") if value.startswith("@") else value
    try:
        return json.loads(text)
    except ValueError as exc:
        raise UsageError(f"not valid JSON: {exc}") from exc


def _ids(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _media(path: Path) -> dict[str, Any]:
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from exc
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return {"base64": base64.b64encode(content).decode(), "filename": path.name, "contentType": content_type}


def _message(args: argparse.Namespace, channel: str) -> dict[str, Any]:
    if args.message:
        return _json_arg(args.message)
    if args.markdown is not None:
        if channel.startswith("dingtalk"):
            return {"msgtype": "markdown", "markdown": {"title": args.title, "text": args.markdown}}
        return {"msgtype": "markdown", "markdown": {"content": args.markdown}}
    if args.image is not None:
        return {"msgtype": "image", "image": {"media": _media(args.image)}}
    if args.file is not None:
        return {"msgtype": "file", "file": {"media": _media(args.file)}}
    if args.text is not None:
        return {"msgtype": "text", "text": {"content": args.text}}
    if args.template:
        return {"msgtype": "text", "text": {}}
    raise UsageError("say what to send: --text, --markdown, --image, --file, --message or --request")


def build_request(args: argparse.Namespace) -> dict[str, Any]:
    """The REST body the arguments describe."""
    if args.var and not args.template:
        raise UsageError("--var fills a message template: name it with --template")
    if args.request:
        request = _json_arg(args.request)
        if not isinstance(request, dict):
            raise UsageError("--request must be a JSON object")
        return request
    if not args.channel:
        raise UsageError("--channel is required (or give the whole --request)")
    channel = args.channel
    request: dict[str, Any] = {"channel": channel, "message": _message(args, channel)}
    if channel in ROBOT_CHANNELS:
        request["robot"] = args.robot
    else:
        request["to"] = {k: v for k, v in (("users", _ids(args.to_users)), ("departments", _ids(args.to_departments)),
                                           ("tags", _ids(args.to_tags))) if v}
        if args.to_all:
            request["to"]["all"] = True
    if args.account:
        request["account"] = args.account
    if args.template:
        pairs = [v.split("=", 1) for v in args.var]
        if any(len(p) != 2 for p in pairs):
            raise UsageError("--var takes NAME=VALUE")
        request["template"] = {"code": args.template, "variables": dict(pairs)}
    return request
