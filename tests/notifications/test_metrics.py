"""``/metrics`` after real traffic: notifications by channel and status, attempts, delivery latency, token fetches,
and what is read when scraped (queue depths and ages, token ages), all under Prometheus's names."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families


def scrape(app) -> dict[tuple[str, frozenset], float]:
    result = app.simulate_get("/metrics")
    assert result.status_code == 200
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(result.text) for sample in family.samples}


def value(samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_a_delivery_is_counted_with_its_attempt_latency_and_token(app, runtime, worker, post, settled):
    before = scrape(app)
    accepted = post({"channel": "dingtalk_work", "to": {"users": ["manager01"]},
                     "message": {"msgtype": "text", "text": {"content": "report ready"}}})
    assert accepted.status_code == 202, accepted.text
    assert settled(accepted.json["id"])["status"] == "sent"
    after = scrape(app)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("imbridge_notifications_total", channel="dingtalk_work", status="sent") == 1
    assert grew("imbridge_notification_attempts_total", channel="dingtalk_work", outcome="sent") == 1
    assert grew("imbridge_notification_delivery_seconds_count", channel="dingtalk_work", status="sent") == 1
    grown = {labels: v - before.get((name, labels), 0.0) for (name, labels), v in after.items()
             if name == "imbridge_token_refreshes_total" and ("platform", "dingtalk") in labels}
    fetched = {labels: by for labels, by in grown.items() if by}  # (other apps' series may exist, unchanged)
    assert list(fetched.values()) == [1] and ("outcome", "fetched") in next(iter(fetched))
    assert grew("imbridge_http_requests_total", method="POST", route="/api/v1/notifications", status="202") == 1

    assert value(after, "imbridge_redis_up") == 1
    queues = {dict(labels)["queue"] for name, labels in after if name == "imbridge_queue_messages"}
    assert {"notifications", "jobs", "default"} <= queues
    assert value(after, "imbridge_queue_oldest_message_age_seconds", queue="notifications") >= 0
    ages = {dict(labels)["platform"]: v for (name, labels), v in after.items() if name == "imbridge_token_age_seconds"}
    assert ages["dingtalk"] >= 0
