"""The Dramatiq broker: Redis by default, RabbitMQ when ``broker.url`` is ``amqp://``.

Actors are declared at import time against whatever broker is global then; ``setup_broker`` makes the
configured broker global and re-binds every imbridge actor to it, so import order never matters.
"""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.redis import RedisBroker

from config import Settings

#: Dramatiq's Redis key namespace; queues live under ``imbridge:<queue>``.
REDIS_NAMESPACE = "imbridge-dramatiq"


def create_broker(url: str) -> dramatiq.Broker:
    if url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        return RabbitmqBroker(url=url)
    return RedisBroker(url=url, namespace=REDIS_NAMESPACE)


def setup_broker(settings: Settings) -> dramatiq.Broker:
    """Make the configured broker the global one and bind our actors to it."""
    url = settings.broker_url
    if not url:
        raise ValueError("no broker: set redis.url (or broker.url)")
    broker = create_broker(url)
    dramatiq.set_broker(broker)
    from workers.actors import ACTORS

    for actor in ACTORS:
        actor.broker = broker
        broker.declare_actor(actor)
    return broker
