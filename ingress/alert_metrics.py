"""``imbridge_platform_quota_exhausted``: a gauge, 1 while a platform's API quota is spent, read at each scrape.

The alert is raised by whichever worker met the quota and lives in Redis until the quota's window ends
(:mod:`core.alerts`); reading it at scrape time gives every ingress process the same answer, without a counter
that each worker process would have to publish. Alert on ``imbridge_platform_quota_exhausted == 1``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import redis
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from core.alerts import active_quota_alerts
from platforms.errors import QUOTA_CODES

log = logging.getLogger(f"imbridge.{__name__}")


class QuotaAlertCollector(Collector):
    """One series per platform and quota window: 1 while spent, else 0."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    def collect(self) -> Iterator[GaugeMetricFamily]:
        gauge = GaugeMetricFamily("imbridge_platform_quota_exhausted",
                                  "1 while the platform's API quota for the window is spent (until the window ends)",
                                  labels=["platform", "window"])
        try:
            spent = {(a.platform, a.window) for a in active_quota_alerts(self.client)}
        except redis.RedisError as exc:
            log.warning("quota alerts unreadable for /metrics: %s", exc)
            return
        series = sorted({(p, w) for p, codes in QUOTA_CODES.items() for w in codes.values()} | spent)
        for platform, window in series:
            gauge.add_metric([platform, window], 1.0 if (platform, window) in spent else 0.0)
        yield gauge
