"""Message templates: named texts with ``${var}`` placeholders, rendered into a notification's text field.

Rendering is :class:`string.Template` substitution: no expressions, no attribute access, no code. A
placeholder without a value is an error the caller sees (422), never an empty hole in a message.
"""

from __future__ import annotations

import string
from datetime import datetime
from typing import Any

from sqlalchemy import String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, utcnow


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


def placeholders(content: str) -> list[str]:
    """The variable names ``content`` uses; ValueError when a ``$`` is neither ``$$`` nor a placeholder."""
    template = string.Template(content)
    if not template.is_valid():
        raise ValueError("a '$' must start a placeholder like ${name} (write $$ for a literal '$')")
    return template.get_identifiers()


def render(content: str, variables: dict[str, Any]) -> str:
    """Substitute every ``${var}``; values are turned into text (``None`` is not a value)."""
    try:
        names = placeholders(content)
    except ValueError as exc:
        raise TemplateError(str(exc)) from None
    missing = [n for n in names if variables.get(n) is None]
    if missing:
        raise TemplateError(f"no value for {', '.join(missing)}", missing)
    return string.Template(content).substitute({n: _text(variables[n]) for n in names})


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def find_template(session: Session, code: str) -> MessageTemplate | None:
    return session.scalars(select(MessageTemplate).where(MessageTemplate.code == code)).one_or_none()
