"""The outbox tables: notifications' ``deliveries`` and admin ``jobs`` (see :mod:`core.outbox`).

Defined once here because both ends use them: the worker that claims and finishes a row, and the scheduler
that sweeps the rows whose broker message went missing.
"""

from __future__ import annotations

from core.outbox import Outbox
from models.deliveries import PENDING_STATUSES, Delivery, DeliveryStatus
from models.jobs import Job, JobStatus

#: ``queued``/``retrying`` wait for a worker; ``sending`` is held by one.
DELIVERIES = Outbox(Delivery.__table__, waiting=PENDING_STATUSES, working=DeliveryStatus.SENDING)
#: ``queued`` waits for a worker (a retry too, with ``next_attempt_at``); ``running`` is held by one.
JOBS = Outbox(Job.__table__, waiting=[JobStatus.QUEUED], working=JobStatus.RUNNING)
