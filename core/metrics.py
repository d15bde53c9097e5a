"""Every Prometheus metric imbridge counts, in one place (names per Prometheus: ``_total``, ``_seconds``).

Counted where the thing happens (the ingress, a worker, the scheduler); each process writes to the
multiprocess directory named by ``PROMETHEUS_MULTIPROC_DIR`` when it is set (it must be set before this module is
imported: prometheus_client picks its storage on import). Queue depths and token ages are not counted but read
when scraped (:mod:`core.metrics_collectors`).
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

#: Latency buckets (seconds) of HTTP requests and platform calls.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
#: Buckets of a notification's time from acceptance to its final state (retries can take minutes).
DELIVERY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600)

HTTP_REQUESTS = Counter("imbridge_http_requests_total", "HTTP requests answered", ["method", "route", "status"])
HTTP_REQUEST_SECONDS = Histogram("imbridge_http_request_seconds", "Time to answer an HTTP request", ["route"],
                                 buckets=BUCKETS)

NOTIFICATIONS = Counter("imbridge_notifications_total", "Notifications that reached a final state",
                        ["channel", "status"])
NOTIFICATION_DELIVERY_SECONDS = Histogram(
    "imbridge_notification_delivery_seconds", "Time from a notification's acceptance to its final state",
    ["channel", "status"], buckets=DELIVERY_BUCKETS)
NOTIFICATION_ATTEMPTS = Counter("imbridge_notification_attempts_total", "Calls to a platform to deliver a notification",
                                ["channel", "outcome"])

TOKEN_REFRESHES = Counter("imbridge_token_refreshes_total", "Access tokens fetched from a platform",
                          ["platform", "app", "outcome"])

PORTAL_CALLBACKS = Counter("imbridge_portal_callbacks_total", "Platform callbacks received, by what became of them",
                           ["platform", "outcome"])

WEBHOOK_DELIVERIES = Counter("imbridge_webhook_deliveries_total", "Calls to subscribers' webhooks", ["outcome"])

QR_CODES_MINTED = Counter("imbridge_qr_codes_minted_total", "Login QR codes created at WeChat")
QR_CODES_SERVED = Counter("imbridge_qr_codes_served_total", "Login QR codes handed to a page")
