"""What the actors of one worker process share: its runtime, the task interface on its own broker, and the
machinery built on them once per process (not per message)."""

from __future__ import annotations

from functools import cached_property

from core.runtime import Runtime
from core.tasks import Tasks
from workers.jobs.registry import KINDS
from workers.jobs.runner import JobRunner
from workers.notifications.delivery import Deliverer


class ActorContext:
    """Handed to every actor (see :mod:`workers.actors`); built when the worker boots (:mod:`workers.boot`).

    :param runtime: the process's Redis, database and platform clients.
    :param tasks: what an actor enqueues next through (a retry later, a follow-up, a webhook delivery).
    """

    def __init__(self, runtime: Runtime, tasks: Tasks) -> None:
        self.runtime = runtime
        self.tasks = tasks

    @cached_property
    def deliverer(self) -> Deliverer:
        """The notifications' delivery machinery, shared by the process's actor threads."""
        return Deliverer(self.runtime)

    @cached_property
    def jobs(self) -> JobRunner:
        """The admin jobs' runner, shared by the process's actor threads."""
        return JobRunner(self.runtime, KINDS)
