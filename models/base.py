"""The declarative base every table derives from, and small column helpers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, overload

from sqlalchemy import DateTime, Index, MetaData
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.schema import CreateIndex
from sqlalchemy.sql.compiler import DDLCompiler

#: Stable constraint names, so migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: DateTime(timezone=True)}


#: The key in an index's ``info`` that makes it partial: the SQL condition of the rows it covers.
PARTIAL_INDEX_WHERE = "imbridge_where"


def partial_index(name: str, *columns: str, where: str, unique: bool = False) -> Index:
    """An index over the rows where ``where`` (SQL) holds, the same on SQLite and PostgreSQL.

    Not ``sqlite_where=`` / ``postgresql_where=``: SQLAlchemy loads a dialect to check the keyword arguments named
    after it, so the models would load the PostgreSQL dialect (about 2 MB) into every process of a SQLite
    deployment, and the other way round. The migrations (run by ``imbridge migrate`` and by ``up`` before it starts
    the others) do spell it so.
    """
    return Index(name, *columns, unique=unique, info={PARTIAL_INDEX_WHERE: where})


@compiles(CreateIndex)
def _create_partial_index(create: CreateIndex, compiler: DDLCompiler, **kw: Any) -> str:
    """``CREATE INDEX`` as the dialect writes it, with the ``WHERE`` of a :func:`partial_index` (last in both
    SQLite's and PostgreSQL's syntax)."""
    sql = compiler.visit_create_index(create, **kw)
    where = create.element.info.get(PARTIAL_INDEX_WHERE)
    return f"{sql} WHERE {where}" if where else sql


def utcnow() -> datetime:
    return datetime.now(UTC)


@overload
def as_utc(value: datetime) -> datetime: ...
@overload
def as_utc(value: None) -> None: ...
def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every datetime we store is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def iso(value: datetime | None) -> str | None:
    """A time as the API shows it (SQLite's naive UTC gets its ``Z``)."""
    if value is None:
        return None
    return value.isoformat() + "Z" if value.tzinfo is None else value.isoformat()


class OutboxColumns:
    """Columns of a row that is written before its broker message and worked on by one worker at a time.

    The row is the outbox: a sweep enqueues rows the broker never took (``enqueued_at`` None) or lost, and a
    worker claims a row with a lease, so two copies of one message never both act on it (``core.outbox`` does
    both, for every table with these columns).
    """

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    #: When the broker took the message; None while it never did (the sweep looks for those).
    enqueued_at: Mapped[datetime | None] = mapped_column(default=None)
    #: Not worked on before this (set while it waits for a retry).
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    #: A worker holds the row until then; past it, its work is presumed lost.
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    #: The retry budget's age is counted from here (creation, or a manual retry).
    budget_started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
