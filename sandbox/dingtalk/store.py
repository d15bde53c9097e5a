"""What the fake DingTalk remembers: work-notification tasks and which content each user got today."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cachetools import TTLCache

from sandbox.clock import Clock

#: How long a work-notification task's progress and result can be read (the sandbox forgets it then).
TASK_SECONDS = 86400
#: Tasks remembered at most (the oldest are forgotten first): a sandbox left running under load stays small.
REMEMBERED_TASKS = 100_000


@dataclass
class NotificationTask:
    task_id: int
    created_at: float
    done_at: float
    #: The send_result as getsendresult will show it once the task is done (empty lists omitted there).
    result: dict[str, list[Any]]
    recalled: bool = False
    #: The message's msgtype: only an ``oa`` message has a status bar.
    msgtype: str = ""
    #: The OA status bar as last set: ``{"status_value", "status_bg"}``.
    status_bar: dict[str, str] | None = None


class DingTalkStore:
    def __init__(self, clock: Clock, limit: int = REMEMBERED_TASKS) -> None:
        #: task id -> task, for getsendprogress, getsendresult and recall.
        self.tasks: TTLCache[int, NotificationTask] = TTLCache(limit, TASK_SECONDS, timer=clock.now)
        #: day number -> (userid, content digest) seen that day: the second identical message is filtered.
        self.seen_content: dict[int, set[tuple[str, str]]] = {}
        self.next_task_id = 256_271_667_526

    def seen_today(self, day: int) -> set[tuple[str, str]]:
        """The day's (userid, digest) pairs; earlier days are forgotten (the filter is per day)."""
        for past in [d for d in self.seen_content if d < day]:
            del self.seen_content[past]
        return self.seen_content.setdefault(day, set())
