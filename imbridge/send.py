"""``imbridge send``: accept a notification from the shell, exactly as REST would, and enqueue it.

    imbridge send --channel dingtalk_robot --robot demo-dingtalk --text "deploy done"
    imbridge send --channel wecom_robot --robot demo-wecom --markdown "**build** passed"
    imbridge send --channel dingtalk_work --to-users manager01 --file report.pdf --wait
    imbridge send --channel wecom_app --to-all --template deploy --var app=crm --var who=ci
    imbridge send --request @request.json          # the REST body itself (or - for stdin)

Prints the delivery id (look it up with ``GET /api/v1/notifications/<id>``); ``--wait`` waits for the outcome.
"""

from __future__ import annotations

import argparse
import base64
import json
import mimetypes
import sys
import time
from pathlib import Path
from typing import Any

from config import Settings
from models.deliveries import Channel, DeliveryStatus

#: How long ``--wait`` waits for a final status.
WAIT_SECONDS = 60.0


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.description = __doc__.split("\n\n")[0].replace("``", "")
    parser.add_argument("--channel", choices=[c.value for c in Channel])
    parser.add_argument("--robot", help="robot code (robot channels)")
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


def _message(args: argparse.Namespace, channel: Channel) -> dict[str, Any]:
    if args.message:
        return _json_arg(args.message)
    if args.markdown is not None:
        if channel in (Channel.DINGTALK_ROBOT, Channel.DINGTALK_WORK):
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
    if args.request:
        request = _json_arg(args.request)
        if not isinstance(request, dict):
            raise UsageError("--request must be a JSON object")
        return request
    if not args.channel:
        raise UsageError("--channel is required (or give the whole --request)")
    channel = Channel(args.channel)
    request: dict[str, Any] = {"channel": channel.value, "message": _message(args, channel)}
    if channel.is_robot:
        request["robot"] = args.robot
    else:
        request["to"] = {k: v for k, v in (("users", _ids(args.to_users)), ("departments", _ids(args.to_departments)),
                                           ("tags", _ids(args.to_tags))) if v}
        if args.to_all:
            request["to"]["all"] = True
    if args.template:
        pairs = [v.split("=", 1) for v in args.var]
        if any(len(p) != 2 for p in pairs):
            raise UsageError("--var takes NAME=VALUE")
        request["template"] = {"code": args.template, "variables": dict(pairs)}
    return request


def run(args: argparse.Namespace, settings: Settings) -> int:
    from models import Database
    from models.notifications import IntakeRules, RequestInvalid, accept
    from models.notifications.views import delivery_view

    try:
        request = build_request(args)
    except UsageError as exc:
        print(f"imbridge send: {exc}", file=sys.stderr)
        return 2
    database = Database.from_settings(settings)
    try:
        with database.session() as session:
            delivery_id = accept(session, request, IntakeRules.from_settings(settings), source="cli").id
    except RequestInvalid as exc:
        print("imbridge send: the notification is not valid:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem['field']}: {problem['message']}", file=sys.stderr)
        return 2
    queued = _enqueue(settings, database, delivery_id)
    print(delivery_id if queued else f"{delivery_id} (recorded; the broker is unavailable, the scheduler's outbox "
                                     "sweep will send it)")
    if not args.wait:
        return 0
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        with database.session() as session:
            from models.deliveries import Delivery

            current = session.get(Delivery, delivery_id)
            if current is not None and DeliveryStatus(current.status).final:
                print(json.dumps(delivery_view(current), ensure_ascii=False, indent=2))
                return 0 if current.status == DeliveryStatus.SENT else 1
        time.sleep(0.2)
    print(f"imbridge send: still not final after {WAIT_SECONDS:g} s (is a worker running?)", file=sys.stderr)
    return 1


def _enqueue(settings: Settings, database: Any, delivery_id: str) -> bool:
    from sqlalchemy import update

    from core.tasks import Tasks
    from models.base import utcnow
    from models.deliveries import Delivery

    if not settings.broker_url:
        # No Redis configured: the embedded one of a running `imbridge up` in this directory, if any.
        from imbridge.var_dir import RUNNING_REDIS_URL_FILE

        running = settings.var_dir / RUNNING_REDIS_URL_FILE
        if running.exists():
            settings.redis.url = running.read_text(encoding="ascii").strip()
    try:
        tasks = Tasks.from_settings(settings)
        try:
            tasks.deliver_notification(delivery_id)
        finally:
            tasks.close()
    except Exception:  # any broker failure: the record waits for the outbox sweep
        return False
    with database.session() as session:
        session.execute(update(Delivery).where(Delivery.id == delivery_id).values(enqueued_at=utcnow()))
    return True
