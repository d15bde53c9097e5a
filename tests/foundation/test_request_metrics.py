"""Request metrics are tallied in memory and flushed: what reaches Prometheus is exactly what counting each
request as it was answered would have given, within a second, and ``/metrics`` is always current for its own
process."""

from __future__ import annotations

import itertools

import falcon
import falcon.testing
import pytest
from prometheus_client import REGISTRY, CollectorRegistry, Histogram

from ingress import metrics
from ingress.metrics import BUCKETS, MetricsResource, RequestMetrics
from tests.waiting import wait_for


class Hello:
    def on_get(self, req: falcon.Request, resp: falcon.Response, name: str) -> None:
        resp.text = "hello"


def sample(name: str, labels: dict[str, str]) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def app_and_metrics():
    middleware = RequestMetrics()
    app = falcon.App(middleware=[middleware])
    app.add_route("/metrics-test/{name}", Hello())
    app.add_route("/metrics", MetricsResource())
    return falcon.testing.TestClient(app), middleware


def test_flushed_tallies_equal_counting_each_request(app_and_metrics, monkeypatch):
    client, middleware = app_and_metrics
    route = {"route": "/metrics-test/{name}"}
    durations = [0.003, 0.0025, 0.0, 50.0, 0.2, 0.003]  # a bound exactly, zero, past the last bound
    clock = iter(itertools.chain.from_iterable((100.0, 100.0 + seconds) for seconds in durations))

    class FakeTime:
        @staticmethod
        def perf_counter() -> float:
            return next(clock)

    before = {le: sample("imbridge_http_request_seconds_bucket", {**route, "le": le})
              for le in [*map(str, map(float, BUCKETS)), "+Inf"]}
    count_before = sample("imbridge_http_requests_total", {"method": "GET", **route, "status": "200"})
    sum_before = sample("imbridge_http_request_seconds_sum", route)
    monkeypatch.setattr(metrics, "time", FakeTime)
    for n in range(len(durations)):
        assert client.simulate_get(f"/metrics-test/{n}").status_code == 200
    middleware.flush()

    reference = Histogram("reference_seconds", "", buckets=BUCKETS, registry=CollectorRegistry())
    for seconds in durations:
        reference.observe(seconds)
    expected = {s.labels["le"]: s.value for s in reference.collect()[0].samples if s.name.endswith("_bucket")}
    for le, value in expected.items():
        assert sample("imbridge_http_request_seconds_bucket", {**route, "le": le}) - before[le] == value, le
    assert sample("imbridge_http_requests_total", {"method": "GET", **route, "status": "200"}) - count_before == 6
    assert sample("imbridge_http_request_seconds_sum", route) - sum_before == pytest.approx(sum(durations))


def test_counts_reach_the_metrics_without_a_scrape_within_a_second(app_and_metrics):
    client, _ = app_and_metrics
    labels = {"method": "GET", "route": "/metrics-test/{name}", "status": "200"}
    before = sample("imbridge_http_requests_total", labels)
    client.simulate_get("/metrics-test/x")
    assert wait_for(lambda: sample("imbridge_http_requests_total", labels) == before + 1, timeout=5)


def test_a_scrape_includes_the_requests_just_answered(app_and_metrics):
    client, _ = app_and_metrics
    for _ in range(3):
        client.simulate_get("/metrics-test/y")
    labels = {"method": "GET", "route": "/metrics-test/{name}", "status": "200"}
    before = sample("imbridge_http_requests_total", labels)
    client.simulate_get("/metrics-test/y")
    text = client.simulate_get("/metrics").text
    line = next(line for line in text.splitlines()
                if line.startswith('imbridge_http_requests_total{method="GET",route="/metrics-test/{name}"'))
    assert float(line.rsplit(" ", 1)[1]) >= before + 1


def test_a_forked_child_flushes_its_own_requests_only(app_and_metrics, tmp_path):
    """An app built before a fork (gunicorn's preload): the child counts and flushes its requests, not the parent's."""
    import os

    client, _ = app_and_metrics
    labels = {"method": "GET", "route": "/metrics-test/{name}", "status": "200"}
    client.simulate_get("/metrics-test/parent")  # tallied, not flushed yet: the child must not count it again
    result = tmp_path / "child"
    pid = os.fork()
    if pid == 0:  # the child: report what it sees, then leave without running pytest's teardown
        try:
            before = sample("imbridge_http_requests_total", labels)
            client.simulate_get("/metrics-test/child")
            counted = wait_for(lambda: sample("imbridge_http_requests_total", labels) == before + 1, timeout=5)
            result.write_text("ok" if counted else "not flushed")
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    assert result.read_text() == "ok"
