"""Prometheus metrics: request counts and latencies per route, served at ``/metrics``.

Under gunicorn with several worker processes, ``PROMETHEUS_MULTIPROC_DIR`` is set by ``imbridge ingress``
and the endpoint aggregates every process's numbers. There every update of a metric is a locked write to a
memory-mapped file: three per request cost more than the rest of a small request's bookkeeping. So requests
are tallied in memory and the tallies added to the metrics once a second (:data:`FLUSH_SECONDS`), by one
background thread per process; ``/metrics`` adds its own process's first. Another process's requests show
within a second.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import weakref
from bisect import bisect_left
from typing import Any

import falcon
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.registry import Collector

from ingress.auth import Open

#: Seconds between two flushes of a process's tallies into the metrics: how late ``/metrics`` may be.
FLUSH_SECONDS = 1.0
#: The latency histogram's upper bounds (the last, +Inf, is implied).
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)

REQUESTS = Counter("imbridge_http_requests_total", "HTTP requests answered", ["method", "route", "status"])
LATENCY = Histogram("imbridge_http_request_seconds", "Time to answer an HTTP request", ["route"], buckets=BUCKETS)

log = logging.getLogger(f"imbridge.{__name__}")

_BOUNDS = (*map(float, BUCKETS), float("inf"))

Labels = tuple[str, str, int]


class _Tally:
    """Requests of one (method, route, status) since the last flush: how many, their seconds and buckets."""

    __slots__ = ("buckets", "count", "seconds")

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0
        self.buckets = [0] * len(_BOUNDS)


class RequestMetrics:
    """Middleware counting every answered request by route template (not raw path: bounded label set).

    The labelled children are looked up once per (method, route, status) and kept: ``labels()`` costs more
    than the count itself, and the set is bounded by the routes and statuses the app has.
    """

    def __init__(self) -> None:
        self._children: dict[Labels, tuple[Any, Any]] = {}
        self._pending: dict[Labels, _Tally] = {}
        self._lock = threading.Lock()
        _flusher.watch(self)

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.started_at = time.perf_counter()

    def process_response(self, req: falcon.Request, resp: falcon.Response, resource: object,
                         req_succeeded: bool) -> None:
        labels = (req.method, req.uri_template or "unmatched", resp.status_code)
        started = getattr(req.context, "started_at", None)
        seconds = None if started is None else time.perf_counter() - started
        with self._lock:
            tally = self._pending.get(labels)
            if tally is None:
                tally = self._pending[labels] = _Tally()
            tally.count += 1
            if seconds is not None:
                tally.seconds += seconds
                tally.buckets[bisect_left(_BOUNDS, seconds)] += 1  # the first bound >= seconds, as observe() does

    def flush(self) -> None:
        """Add the tallies to the metrics (what ``inc`` and ``observe`` would have added, request by request)."""
        with self._lock:
            pending, self._pending = self._pending, {}
        for labels, tally in pending.items():
            children = self._children.get(labels)
            if children is None:
                children = self._children[labels] = (REQUESTS.labels(*labels), LATENCY.labels(labels[1]))
            requests, latency = children
            requests.inc(tally.count)
            if any(tally.buckets):
                # No public call adds many observations at once: the histogram's own values, as observe() does.
                latency._sum.inc(tally.seconds)
                for bucket, count in zip(latency._buckets, tally.buckets, strict=True):
                    if count:
                        bucket.inc(count)


class _Flusher:
    """One daemon thread per process flushing every live :class:`RequestMetrics` each FLUSH_SECONDS.

    A forked child (an app built before gunicorn forks its workers) starts its own thread and drops the tallies
    it inherited: they are the parent's to flush.
    """

    def __init__(self) -> None:
        self._watched: weakref.WeakSet[RequestMetrics] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        atexit.register(self.flush_all)
        os.register_at_fork(after_in_child=self._after_fork)

    def watch(self, metrics: RequestMetrics) -> None:
        with self._lock:
            self._watched.add(metrics)
            if self._thread is None:
                self._start()

    def _start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="metrics-flush", daemon=True)
        self._thread.start()

    def _after_fork(self) -> None:
        self._lock = threading.Lock()  # another thread may have held them at the fork
        self._thread = None
        for metrics in self._watched:
            metrics._lock = threading.Lock()
            metrics._pending = {}
        if self._watched:
            self._start()

    def flush_all(self) -> None:
        with self._lock:
            watched = list(self._watched)
        for metrics in watched:
            metrics.flush()

    def _run(self) -> None:
        while not self._stop.wait(FLUSH_SECONDS):
            try:
                self.flush_all()
            except Exception:  # a metrics file gone bad must not stop the counting
                log.exception("could not flush the request metrics")


_flusher = _Flusher()


class MetricsResource:
    """``/metrics``: the process-aggregated metrics, then ``collectors`` (read at each scrape, from shared state)."""

    scope = Open.ANYONE

    def __init__(self, *collectors: Collector) -> None:
        self._scraped = CollectorRegistry(auto_describe=False)
        for collector in collectors:
            self._scraped.register(collector)

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        _flusher.flush_all()
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            resp.data = generate_latest(registry)
        else:
            resp.data = generate_latest()
        resp.data += generate_latest(self._scraped)
        resp.content_type = CONTENT_TYPE_LATEST
