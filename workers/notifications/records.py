"""The delivery worker's writes, as Core statements built once per process and run on a bare connection.

A worker writes twice per send (claim, then outcome). Building an ORM ``update()`` and a unit of work for each
cost more CPU than the send itself: here every statement is built once with bound parameters, so SQLAlchemy
reuses its compiled form, and runs on a connection without a Session (no identity map, no flush).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from sqlalchemy import Update, and_, bindparam, insert, or_, update
from sqlalchemy.engine import Connection, Row

from models.deliveries import PENDING_STATUSES, Delivery, DeliveryAttempt, DeliveryStatus

_DELIVERIES = Delivery.__table__
_ATTEMPTS = DeliveryAttempt.__table__
_SENDING = DeliveryStatus.SENDING.value

#: Take a record that is pending and due (or whose lease ran out): status ``sending`` until ``lease``.
CLAIM = (
    update(_DELIVERIES)
    .where(
        _DELIVERIES.c.id == bindparam("b_id"),
        or_(_DELIVERIES.c.status.in_([s.value for s in PENDING_STATUSES]),
            and_(_DELIVERIES.c.status == _SENDING, _DELIVERIES.c.lease_until < bindparam("b_now"))),
        or_(_DELIVERIES.c.next_attempt_at.is_(None), _DELIVERIES.c.next_attempt_at <= bindparam("b_due")))
    .values(status=_SENDING, lease_until=bindparam("b_lease"), updated_at=bindparam("b_now"))
    .returning(_DELIVERIES.c.channel, _DELIVERIES.c.payload, _DELIVERIES.c.robot_id, _DELIVERIES.c.robot_code,
               _DELIVERIES.c.attempts, _DELIVERIES.c.failed_attempts, _DELIVERIES.c.budget_started_at)
)

_INSERT_ATTEMPT = insert(_ATTEMPTS)


def claim(connection: Connection, delivery_id: str, now: Any, due: Any, lease_until: Any) -> Row[Any] | None:
    """The claimed record's fields, or None if it is not claimable now."""
    return connection.execute(CLAIM, {"b_id": delivery_id, "b_now": now, "b_due": due,
                                      "b_lease": lease_until}).one_or_none()


@lru_cache(maxsize=64)
def _finish_statement(columns: tuple[str, ...], count_attempt: bool) -> Update:
    values: dict[str, Any] = {name: bindparam(f"v_{name}", type_=_DELIVERIES.c[name].type) for name in columns}
    if count_attempt:
        values["attempts"] = _DELIVERIES.c.attempts + 1
    return (update(_DELIVERIES)
            .where(_DELIVERIES.c.id == bindparam("b_id"), _DELIVERIES.c.status == _SENDING,
                   _DELIVERIES.c.lease_until == bindparam("b_lease"))
            .values(values))


def finish(connection: Connection, delivery_id: str, lease_until: Any, values: Mapping[str, Any],
           attempt: Mapping[str, Any] | None) -> bool:
    """Write ``values`` (and the attempt row) if the lease is still ours; False if it was taken over."""
    columns = tuple(sorted(values))
    params = {f"v_{name}": values[name] for name in columns}
    won = connection.execute(_finish_statement(columns, attempt is not None),
                             {**params, "b_id": delivery_id, "b_lease": lease_until}).rowcount
    if attempt is not None:
        connection.execute(_INSERT_ATTEMPT, dict(attempt))
    return bool(won)
