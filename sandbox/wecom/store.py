"""What the fake WeCom remembers: app messages that may still be recalled."""

from __future__ import annotations

from cachetools import TTLCache

from sandbox.clock import Clock

#: WeCom recalls a message up to a day after it was sent; the sandbox forgets it then.
RECALL_SECONDS = 86400
#: Messages remembered at most (the oldest are forgotten first): a sandbox left running under load stays small.
REMEMBERED_MESSAGES = 100_000


class WeComStore:
    def __init__(self, clock: Clock, limit: int = REMEMBERED_MESSAGES) -> None:
        #: msgid -> sent time; recalled messages are removed.
        self.messages: TTLCache[str, float] = TTLCache(limit, RECALL_SECONDS, timer=clock.now)
        #: chatid -> members, of the chats the app created (appchat/send takes only those).
        self.chats: dict[str, list[str]] = {}
