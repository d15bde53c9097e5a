"""Enqueue from a request: a broker that cannot take the message is a 503 the caller can retry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import falcon

from ingress.errors import ApiError

T = TypeVar("T")


def enqueue(send: Callable[..., T], *args: Any) -> T:
    """``send(*args)`` (a :class:`core.tasks.Tasks` method); any failure of the broker answers 503 + Retry-After."""
    try:
        return send(*args)
    except Exception as exc:  # redis/pika connection errors differ; all mean "broker unavailable"
        raise ApiError(falcon.HTTP_503, "the message broker is unavailable; retry shortly",
                       code="broker_unavailable", headers={"Retry-After": "5"}) from exc
