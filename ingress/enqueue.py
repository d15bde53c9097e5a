"""Enqueue from a request: a broker that cannot take the message is a 503 the caller can retry."""

from __future__ import annotations

from typing import Any

import dramatiq
import falcon

from ingress.errors import ApiError


def enqueue(actor: dramatiq.Actor, *args: Any, **kwargs: Any) -> dramatiq.Message:
    try:
        return actor.send(*args, **kwargs)
    except Exception as exc:  # redis/pika connection errors differ; all mean "broker unavailable"
        raise ApiError(falcon.HTTP_503, "the message broker is unavailable; retry shortly",
                       code="broker_unavailable", headers={"Retry-After": "5"}) from exc
