"""``imbridge send``: accept a notification from the shell, exactly as REST would, and enqueue it.

    imbridge send --channel dingtalk_robot --robot demo-dingtalk --text "deploy done"
    imbridge send --channel wecom_robot --robot demo-wecom --markdown "**build** passed"
    imbridge send --channel dingtalk_work --to-users manager01 --file report.pdf --wait
    imbridge send --channel wecom_app --to-all --template deploy --var app=crm --var who=ci
    imbridge send --request @request.json          # the REST body itself (or - for stdin)

Prints the delivery id (look it up with ``GET /api/v1/notifications/<id>``); ``--wait`` waits for the outcome.
With ``--url`` and ``--api-key`` (or ``IMBRIDGE_URL`` and ``IMBRIDGE_API_KEY``) it sends through a running
imbridge's API instead (:mod:`imbridge.send_remote`).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from config import Settings
from imbridge.send_args import WAIT_SECONDS, UsageError, build_request, configure_parser
from models.deliveries import DeliveryStatus

__all__ = ["WAIT_SECONDS", "UsageError", "build_request", "configure_parser", "run"]

def run(args: argparse.Namespace, settings: Settings) -> int:
    from core.accounts import Accounts
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
            rules = IntakeRules.from_settings(settings, Accounts(settings, database).settings_of)
            delivery_id = accept(session, request, rules, source="cli").id
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
