"""Answers "opening hours" questions at once, and counts who asked in a worker afterwards."""

from __future__ import annotations

from typing import Any

from imbridge.handlers import Handler, HandlerContext, InboundMessage, Reply, TextReply, follow_up

#: What the follower is told, in Chinese first.
HOURS_TEXT = "营业时间：每天 9:00-18:00\nOpening hours: 9:00-18:00 daily"
#: The Redis hash counting questions per follower (what the follow-up writes).
ASKED_KEY = "imbridge_hours:asked"


class OpeningHours(Handler):
    platforms = ("wechat", "wecom")
    content_pattern = r"营业时间|opening hours"
    priority = 10

    def handle(self, message: InboundMessage, context: HandlerContext) -> Reply | None:
        context.follow_up("hours.asked", user=message.from_user, platform=context.platform)
        return TextReply(HOURS_TEXT)


@follow_up("hours.asked")
def count_question(runtime: Any, payload: dict[str, Any]) -> None:
    """Runs in a worker: anything slow, or a platform call, belongs here rather than in ``handle``."""
    runtime.redis.hincrby(ASKED_KEY, f"{payload['platform']}:{payload['user']}", 1)
