"""Every imbridge actor, collected so ``setup_broker`` can bind them to the configured broker."""

from workers.actors.jobs import run_job
from workers.actors.notifications import (
    collect_send_result,
    deliver_notification,
    recall_notification,
    submit_notification,
)
from workers.actors.ping import ping

#: All actors, in no particular order.
ACTORS = [ping]
ACTORS += [deliver_notification, submit_notification, collect_send_result, recall_notification]
ACTORS += [run_job]

__all__ = ["ACTORS", "ping"]
