"""Prometheus metrics of the HTTP ingress: request counts and latencies per route, served at ``/metrics``.

Under ``imbridge ingress`` (several worker processes) ``PROMETHEUS_MULTIPROC_DIR`` is set before
prometheus_client is imported, every process writes its numbers to files there, and ``/metrics`` adds up the
files of every process: whichever process answers the scrape, it reports the whole ingress. When the variable
names the directory the workers and the scheduler of the same machine write to too (``imbridge up``), their
metrics are in the answer as well (see the README, "Metrics").
"""

from __future__ import annotations

import os
import time

import falcon
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.registry import Collector

from core.metrics import HTTP_REQUEST_SECONDS, HTTP_REQUESTS
from ingress.auth import Open


class RequestMetrics:
    """Middleware counting every answered request by route template (not raw path: a bounded label set).

    The labelled children are looked up once per (method, route, status) and kept: ``labels()`` costs more
    than the count itself, and the set is bounded by the routes and statuses the app has.
    """

    def __init__(self) -> None:
        self._children: dict[tuple[str, str, int], tuple[object, object]] = {}

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.started_at = time.perf_counter()

    def process_response(self, req: falcon.Request, resp: falcon.Response, resource: object,
                         req_succeeded: bool) -> None:
        labels = (req.method, req.uri_template or "unmatched", resp.status_code)
        children = self._children.get(labels)
        if children is None:
            children = self._children[labels] = (HTTP_REQUESTS.labels(*labels), HTTP_REQUEST_SECONDS.labels(labels[1]))
        requests, latency = children
        requests.inc()  # type: ignore[attr-defined]
        started = getattr(req.context, "started_at", None)
        if started is not None:
            latency.observe(time.perf_counter() - started)  # type: ignore[attr-defined]


class MetricsResource:
    """``/metrics``: every process's counts (see the module's doc), then ``collectors`` read at each scrape from
    shared state (queues, tokens, quota alerts)."""

    scope = Open.ANYONE

    def __init__(self, *collectors: Collector) -> None:
        self._scraped = CollectorRegistry(auto_describe=False)
        for collector in collectors:
            self._scraped.register(collector)

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            text = generate_latest(registry)
        else:
            text = generate_latest(REGISTRY)
        resp.data = text + generate_latest(self._scraped)
        resp.content_type = CONTENT_TYPE_LATEST
