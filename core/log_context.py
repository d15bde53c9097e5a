"""The ids a log line is about: a delivery, a job, an inbound message, carried by every line logged meanwhile.

Code that works on one record binds its id once (``with log_ids(delivery=record_id): ...``); every line logged
inside, by any logger, carries it (``delivery=<id>`` at the end of a text line, a ``delivery`` field in JSON), so
one ``grep <id>`` follows a record through the ingress, the workers and the scheduler. A context variable, so
threads and the ingress's concurrent requests never see each other's ids.

    with log_ids(delivery="0c9f..."):
        log.info("accepted")   # ... imbridge.ingress.resources.notifications: accepted delivery=0c9f...
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType

#: The kinds of ids lines carry, in the order text lines show them.
ID_KINDS = ("delivery", "job", "inbound", "webhook_delivery")

_NONE: Mapping[str, str] = MappingProxyType({})
_ids: ContextVar[Mapping[str, str]] = ContextVar("imbridge_log_ids", default=_NONE)


@contextmanager
def log_ids(**ids: object) -> Iterator[None]:
    """Every line logged inside carries ``ids`` (None values are left out), besides those bound outside."""
    token = _ids.set({**_ids.get(), **{k: str(v) for k, v in ids.items() if v is not None}})
    try:
        yield
    finally:
        _ids.reset(token)


def bind_ids(**ids: object) -> None:
    """Every line logged from here on in this thread (until :func:`clear_ids`) carries ``ids``: for code whose
    start and end are two calls (a Dramatiq middleware's before and after hooks), not one block."""
    _ids.set({k: str(v) for k, v in ids.items() if v is not None})


def clear_ids() -> None:
    _ids.set(_NONE)


def current_ids() -> Mapping[str, str]:
    """The ids bound here and now."""
    return _ids.get()


class LogIds(logging.Filter):
    """Puts the bound ids on each record: as attributes (JSON fields) and as ``record.ids`` (`` delivery=...``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        ids = _ids.get()
        for kind, value in ids.items():
            if not hasattr(record, kind):
                setattr(record, kind, value)
        record.ids = "".join(f" {kind}={getattr(record, kind)}" for kind in ID_KINDS if hasattr(record, kind))
        return True
