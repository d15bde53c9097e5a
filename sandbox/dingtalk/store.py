"""What the fake DingTalk remembers: work-notification tasks and which content each user got today."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class NotificationTask:
    task_id: int
    created_at: float
    done_at: float
    #: The send_result as getsendresult will show it once the task is done (empty lists omitted there).
    result: dict[str, list[Any]]
    recalled: bool = False


@dataclass
class DingTalkStore:
    tasks: dict[int, NotificationTask] = field(default_factory=dict)
    #: (userid, content digest, day number) seen: the second identical message that day is filtered.
    seen_content: set[tuple[str, str, int]] = field(default_factory=set)
    next_task_id: int = 256_271_667_526
