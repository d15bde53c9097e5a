"""What a job kind is: two steps and optional hooks, so the runner alone deals with claims and retries.

``call`` does the platform I/O (and reads what it needs); ``record`` writes the outcome in the same transaction
that marks the job succeeded, so a job is never "succeeded" without its local effect, nor the other way round.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from core.runtime import Runtime

Params = dict[str, Any]


@dataclass(frozen=True)
class Continue:
    """What ``record`` returns for a job that goes in steps (a walk through many pages): this step's effect is
    committed with the job's new ``params`` (where to go on) and ``progress`` (its ``result`` meanwhile), and the
    job runs again at once, with a fresh retry budget for its next step. A failure keeps both, so running the
    failed job again (``POST /api/v1/jobs/{id}/retry``) goes on from there."""

    params: dict[str, Any]
    progress: dict[str, Any]


class JobRefused(Exception):
    """The job cannot be done and retrying will not help (its menu was deleted, its buttons are invalid...)."""


@dataclass(frozen=True)
class JobKind:
    """One kind of job.

    :param name: stored in ``jobs.kind``, e.g. ``wechat.menu.publish``.
    :param call: ``(runtime, params) -> answer``: load, call the platform; no writes.
    :param record: ``(session, params, answer) -> result``: the local effect; the result is stored on the job
        (or a :class:`Continue`: one step done, more to come).
    :param started: ``(session, params)``, in the transaction that claims a run (show "uploading" again...).
    :param failed: ``(session, params, error, errcode)``, in the transaction that fails the job for good.
    """

    name: str
    call: Callable[[Runtime, Params], Any]
    record: Callable[[Session, Params, Any], dict[str, Any] | Continue]
    started: Callable[[Session, Params], None] | None = None
    failed: Callable[[Session, Params, str, int | None], None] | None = None
