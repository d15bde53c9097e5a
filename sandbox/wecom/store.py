"""What the fake WeCom remembers: app messages that may still be recalled."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class WeComStore:
    #: msgid -> sent time; recalled messages are removed.
    messages: dict[str, float] = field(default_factory=dict)
