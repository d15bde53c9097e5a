"""What ``/metrics`` reads when scraped rather than counts: queue depths and ages, token ages.

These are the state of Redis, the same whoever asks, so any ingress process reads them once per scrape (a
few Redis round trips) instead of every process keeping a gauge up to date.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator

import dramatiq
import redis
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from core.runtime import Runtime
from core.tokens import platform_and_app
from ingress.resources.system import queue_depths, token_status

log = logging.getLogger(f"imbridge.{__name__}")


class StateCollector(Collector):
    def __init__(self, runtime: Runtime, broker: dramatiq.Broker) -> None:
        self.runtime = runtime
        self.broker = broker

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("imbridge_redis_up", "Whether /metrics could read the queues and tokens in Redis")
        try:
            families = [*self._queues(), *self._tokens()]
        except redis.RedisError as exc:
            log.warning("metrics: Redis unavailable: %s", exc)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _queues(self) -> list[GaugeMetricFamily]:
        messages = GaugeMetricFamily("imbridge_queue_messages", "Messages in a queue, by state",
                                     labels=["queue", "state"])
        oldest = GaugeMetricFamily("imbridge_queue_oldest_message_age_seconds",
                                   "Age of the oldest message waiting for a worker (0: none waits)", labels=["queue"])
        for depth in queue_depths(self.broker):
            for state, count in (("ready", depth.ready), ("delayed", depth.delayed),
                                 ("in_progress", depth.inProgress), ("dead", depth.dead)):
                if count is not None:
                    messages.add_metric([depth.queue, state], count)
            oldest.add_metric([depth.queue], self._oldest_age(depth.queue) if depth.ready else 0.0)
        return [messages, oldest]

    def _oldest_age(self, queue: str) -> float:
        """Seconds since the oldest ready message was enqueued (Redis broker: the head of ``<ns>:<queue>``)."""
        client = getattr(self.broker, "client", None)
        if client is None:
            return 0.0
        key = f"{self.broker.namespace}:{queue}"  # type: ignore[attr-defined]
        head = client.lindex(key, 0)
        raw = client.hget(f"{key}.msgs", head) if head is not None else None
        if raw is None:
            return 0.0
        try:
            stamp = float(json.loads(raw)["message_timestamp"]) / 1000
        except (ValueError, KeyError, TypeError):
            return 0.0
        return max(0.0, time.time() - stamp)

    def _tokens(self) -> list[GaugeMetricFamily]:
        age = GaugeMetricFamily("imbridge_token_age_seconds", "Seconds since an app's access token was fetched",
                                labels=["platform", "app"])
        left = GaugeMetricFamily("imbridge_token_expires_in_seconds", "Seconds the cached access token has left",
                                 labels=["platform", "app"])
        for token in token_status(self.runtime):
            labels = list(platform_and_app(token.appKey))
            if token.ageSeconds is not None:
                age.add_metric(labels, token.ageSeconds)
            left.add_metric(labels, token.expiresInSeconds or 0)
        return [age, left]
