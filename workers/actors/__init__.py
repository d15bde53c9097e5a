"""Every imbridge actor, collected so ``setup_broker`` can bind them to the configured broker."""

from workers.actors.inbound import apply_template_report, record_inbound
from workers.actors.jobs import run_job
from workers.actors.login import exchange_applet_code, mint_login_codes
from workers.actors.notifications import (
    collect_send_result,
    deliver_notification,
    recall_notification,
    submit_notification,
)
from workers.actors.ping import ping
from workers.actors.webhooks import deliver_webhook

#: All actors, in no particular order.
ACTORS = [ping, record_inbound, apply_template_report, deliver_webhook, mint_login_codes, exchange_applet_code]
ACTORS += [deliver_notification, submit_notification, collect_send_result, recall_notification]
ACTORS += [run_job]

__all__ = ["ACTORS", "deliver_webhook", "exchange_applet_code", "mint_login_codes", "ping", "record_inbound"]
