"""Every imbridge actor, collected so ``setup_broker`` can bind them to the configured broker."""

from workers.actors.ping import ping

#: All actors, in no particular order.
ACTORS = [ping]

__all__ = ["ACTORS", "ping"]
