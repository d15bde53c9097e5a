"""The metrics follow Prometheus's naming, and the Grafana dashboard asks only for metrics imbridge exposes."""

from __future__ import annotations

import json
import re
from pathlib import Path

from prometheus_client import REGISTRY

import core.metrics  # noqa: F401  (registers every counted metric)

DASHBOARD = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "imbridge-dashboard.json"
#: Read at scrape time (ingress/metrics_state.py).
STATE = {"imbridge_redis_up", "imbridge_queue_messages", "imbridge_queue_oldest_message_age_seconds",
         "imbridge_token_age_seconds", "imbridge_token_expires_in_seconds"}


def exposed() -> set[str]:
    names = set(STATE)
    for family in REGISTRY.collect():
        if not family.name.startswith("imbridge_"):
            continue
        if family.type == "counter":
            names.add(f"{family.name}_total")
        elif family.type == "histogram":
            names.update(f"{family.name}{suffix}" for suffix in ("_bucket", "_count", "_sum"))
        else:
            names.add(family.name)
    return names


def test_counters_end_in_total_and_durations_in_seconds():
    names = exposed()
    families = {name for name in names if not name.endswith(("_bucket", "_count", "_sum"))}
    assert {"imbridge_notifications_total", "imbridge_notification_attempts_total", "imbridge_token_refreshes_total",
            "imbridge_portal_callbacks_total", "imbridge_webhook_deliveries_total", "imbridge_qr_codes_minted_total",
            "imbridge_qr_codes_served_total", "imbridge_notification_delivery_seconds_bucket"} <= names
    for family in REGISTRY.collect():
        if family.name.startswith("imbridge_") and family.type == "histogram":
            assert family.name.endswith("_seconds"), family.name
    assert all(re.fullmatch(r"imbridge_[a-z_]+", name) for name in families)


def test_the_dashboard_asks_only_for_exposed_metrics():
    dashboard = json.loads(DASHBOARD.read_text())
    asked = {name for panel in dashboard["panels"] for target in panel["targets"]
             for name in re.findall(r"imbridge_[a-z_]+", target["expr"])}
    assert asked and asked <= exposed(), asked - exposed()
    assert asked >= STATE
