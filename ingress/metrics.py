"""Prometheus metrics: request counts and latencies per route, served at ``/metrics``.

Under gunicorn with several worker processes, ``PROMETHEUS_MULTIPROC_DIR`` is set by ``imbridge ingress``
and the endpoint aggregates every process's numbers.
"""

from __future__ import annotations

import os
import time
from typing import Any

import falcon
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess

REQUESTS = Counter("imbridge_http_requests_total", "HTTP requests answered", ["method", "route", "status"])
LATENCY = Histogram(
    "imbridge_http_request_seconds", "Time to answer an HTTP request", ["route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


class RequestMetrics:
    """Middleware counting every answered request by route template (not raw path: bounded label set).

    The labelled children are looked up once per (method, route, status) and kept: ``labels()`` costs more
    than the count itself, and the set is bounded by the routes and statuses the app has.
    """

    def __init__(self) -> None:
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.started_at = time.perf_counter()

    def process_response(self, req: falcon.Request, resp: falcon.Response, resource: object,
                         req_succeeded: bool) -> None:
        labels = (req.method, req.uri_template or "unmatched", resp.status_code)
        children = self._children.get(labels)
        if children is None:
            children = self._children[labels] = (REQUESTS.labels(*labels), LATENCY.labels(labels[1]))
        children[0].inc()
        started = getattr(req.context, "started_at", None)
        if started is not None:
            children[1].observe(time.perf_counter() - started)


class MetricsResource:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            resp.data = generate_latest(registry)
        else:
            resp.data = generate_latest()
        resp.content_type = CONTENT_TYPE_LATEST
