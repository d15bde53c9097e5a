"""The Dramatiq broker: Redis by default, RabbitMQ when ``broker.url`` is ``amqp://``.

Every process builds its own and hands it over: the ingress and the scheduler to :class:`core.tasks.Tasks`, a
worker to the actors it declares (:mod:`workers.boot`). Nothing here sets Dramatiq's global broker.
"""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.redis import RedisBroker

from config import Settings

#: Dramatiq's Redis key namespace; queues live under ``imbridge-dramatiq:<queue>``.
REDIS_NAMESPACE = "imbridge-dramatiq"


def create_broker(url: str) -> dramatiq.Broker:
    if url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        return RabbitmqBroker(url=url)
    return RedisBroker(url=url, namespace=REDIS_NAMESPACE)


def broker_from_settings(settings: Settings) -> dramatiq.Broker:
    """The configured broker (``broker.url``, else ``redis.url``).

    :raises ValueError: neither is set.
    """
    url = settings.broker_url
    if not url:
        raise ValueError("no broker: set redis.url (or broker.url)")
    return create_broker(url)
