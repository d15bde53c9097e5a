"""Message templates: named texts with ``${var}`` placeholders, rendered into a notification's text field.

Rendering is :class:`string.Template` substitution: no expressions, no attribute access, no code. A
placeholder without a value is an error the caller sees (422), never an empty hole in a message.

A short template can still ask for a huge text (5,000 placeholders times a 20 KB value is 100 MB), so the size
of the output is computed from the parsed template and the values' sizes first, and a text over the limit is
refused before any of it is built.
"""

from __future__ import annotations

import string
from datetime import datetime
from typing import Any

from sqlalchemy import String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, utcnow

#: Longest rendered text, in UTF-8 bytes, when the caller names no limit (``notifications.max-template-output-bytes``
#: sets it): above what any platform takes in one message, far below what would strain the ingress.
MAX_OUTPUT_BYTES = 64 * 1024


class MessageTemplate(Base):
    __tablename__ = "message_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    content: Mapped[str] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(default=True)
    remark: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class TemplateError(ValueError):
    """The template cannot be rendered; ``missing`` names variables without a value."""

    def __init__(self, message: str, missing: list[str] | None = None) -> None:
        super().__init__(message)
        self.missing = missing or []


class TemplateTooLarge(TemplateError):
    """The rendered text would be ``size`` bytes, over ``limit``."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"the rendered text would be {size} bytes; at most {limit} bytes are allowed "
                         "(notifications.max-template-output-bytes)")
        self.size = size
        self.limit = limit


def placeholders(content: str) -> list[str]:
    """The variable names ``content`` uses; ValueError when a ``$`` is neither ``$$`` nor a placeholder."""
    template = string.Template(content)
    if not template.is_valid():
        raise ValueError("a '$' must start a placeholder like ${name} (write $$ for a literal '$')")
    return template.get_identifiers()


def rendered_size(content: str, values: dict[str, str]) -> int:
    """The UTF-8 size of ``content`` rendered with ``values`` (one for each placeholder), without rendering it."""
    sizes = {name: len(value.encode()) for name, value in values.items()}
    size = end = 0
    for match in string.Template.pattern.finditer(content):
        size += len(content[end:match.start()].encode())
        end = match.end()
        name = match.group("named") or match.group("braced")
        size += sizes[name] if name is not None else 1  # ``$$`` is one ``$`` (a valid template has no other)
    return size + len(content[end:].encode())


def render(content: str, variables: dict[str, Any], max_bytes: int = MAX_OUTPUT_BYTES) -> str:
    """Substitute every ``${var}``; values are turned into text (``None`` is not a value).

    :raises TemplateTooLarge: the text would be over ``max_bytes`` (UTF-8); nothing was built.
    """
    try:
        names = placeholders(content)
    except ValueError as exc:
        raise TemplateError(str(exc)) from None
    missing = [n for n in names if variables.get(n) is None]
    if missing:
        raise TemplateError(f"no value for {', '.join(missing)}", missing)
    values = {n: _text(variables[n]) for n in names}
    size = rendered_size(content, values)
    if size > max_bytes:
        raise TemplateTooLarge(size, max_bytes)
    return string.Template(content).substitute(values)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def find_template(session: Session, code: str) -> MessageTemplate | None:
    return session.scalars(select(MessageTemplate).where(MessageTemplate.code == code)).one_or_none()
