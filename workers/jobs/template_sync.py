"""Merging a platform's template list into a local table: what the private-template sync and the
subscription-template sync both do, written once.

New templates are inserted (enabled, named after their title), changed ones updated (their keys read again),
ones gone remotely deleted; the local fields (code, name, enabled) of kept ones are left alone. Each sync says how
to read an item (its id field, its synced fields, its keys) and how to make a row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy.orm import Session

from models.base import utcnow

#: The counts a sync's result starts from.
COUNTS = ("inserted", "updated", "deleted", "unchanged")


def merge_templates(session: Session, local: dict[str, Any], remote: Iterable[dict[str, Any]], *, id_field: str,
                    fields: Callable[[dict[str, Any]], dict[str, Any]], keys: Callable[[str], list[str]],
                    new_row: Callable[..., Any], counts: dict[str, int]) -> set[str]:
    """Make ``local`` (template id -> row) what ``remote`` lists, adding to ``counts``; the template ids seen.

    ``new_row(template_id=, name=, enabled=, synced_at=, keys=, **fields)`` makes a row for a new template.
    """
    now = utcnow()
    seen: set[str] = set()
    for item in remote:
        template_id = str(item.get(id_field) or "")
        if not template_id or template_id in seen:
            continue
        seen.add(template_id)
        values = fields(item)
        row = local.get(template_id)
        if row is None:
            session.add(new_row(template_id=template_id, name=(values["title"] or template_id)[:100], enabled=True,
                                synced_at=now, keys=keys(values["content"]), **values))
            counts["inserted"] += 1
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            row.keys = keys(values["content"])
            row.synced_at = now
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    for template_id, row in local.items():
        if template_id not in seen:
            session.delete(row)
            counts["deleted"] += 1
    return seen
