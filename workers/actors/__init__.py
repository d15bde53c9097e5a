"""Every imbridge actor, collected so ``setup_broker`` can bind them to the configured broker."""

from workers.actors.inbound import record_inbound
from workers.actors.ping import ping
from workers.actors.webhooks import deliver_webhook

#: All actors, in no particular order.
ACTORS = [ping, record_inbound, deliver_webhook]

__all__ = ["ACTORS", "deliver_webhook", "ping", "record_inbound"]
