"""The largest numbers a request may hand to the database: row ids, offsets and pages.

Ids are SQL INTEGER columns (32-bit on PostgreSQL; SQLite cannot bind a Python int past 64 bits, PostgreSQL
refuses an OFFSET past 64), so a number beyond these bounds can name no row. Refusing it at the edge (a 404
for a path id, a 422 for a query parameter) keeps it from failing in the database as a 500.
"""

from __future__ import annotations

from falcon.routing import IntConverter

#: The largest value of an SQL INTEGER column (PostgreSQL's ``integer``): no id, and no offset, is larger.
MAX_ROW_ID = 2**31 - 1
#: The largest ``page`` of the listings paged by page and limit (at most 500 a page: the offset stays in range).
MAX_PAGE = 1_000_000


class RowIdConverter(IntConverter):
    """``{name:id}`` in a route: falcon's ``int`` converter bounded to 1..MAX_ROW_ID; anything else is a 404."""

    def __init__(self) -> None:
        super().__init__(min=1, max=MAX_ROW_ID)
