"""``/api/v1/inbound``: what the portals received, searchable (admin scope)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import falcon
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import func, select

from ingress.bodies import parse_model
from ingress.bounds import MAX_ROW_ID
from ingress.errors import ApiError
from models import Database, InboundRecord, Scope
from models.wechat.followers import follower_views

#: Page size when none is asked for, and the largest allowed.
DEFAULT_LIMIT, MAX_LIMIT = 50, 200


def parse_instant(value: Any) -> datetime | None:
    """ISO 8601 (naive means UTC) or seconds since the epoch."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    try:
        return datetime.fromtimestamp(float(text), UTC)
    except (OverflowError, OSError) as exc:  # a number of seconds past what a datetime holds
        raise ValueError(f"{text} is out of range") from exc
    except ValueError:
        pass
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class InboundQuery(BaseModel):
    """Filters of the inbound list; each given one narrows the result."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    platform: str | None = Field(default=None, pattern="^(wechat|wecom)$")
    #: The account whose portal received it (``default``: the bare portal paths).
    account: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")
    msg_type: str | None = Field(default=None, alias="msgType", max_length=32)
    event: str | None = Field(default=None, max_length=64)
    from_user: str | None = Field(default=None, alias="fromUser", max_length=128)
    since: datetime | None = None
    until: datetime | None = None
    q: str | None = Field(default=None, max_length=200, description="text searched in every field of the message")
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(default=0, ge=0, le=MAX_ROW_ID)

    _instants = field_validator("since", "until", mode="before")(classmethod(lambda cls, v: parse_instant(v)))


_QUERY_PARAMS = [
    {"name": name, "in": "query", "required": False, "schema": {"type": kind}}
    for name, kind in [("platform", "string"), ("account", "string"), ("msg_type", "string"), ("event", "string"),
                       ("from_user", "string"),
                       ("since", "string"), ("until", "string"), ("q", "string"), ("limit", "integer"),
                       ("offset", "integer")]
]


def with_followers(session: Any, rows: list[InboundRecord]) -> list[dict[str, Any]]:
    """The records' public views; a WeChat sender fetched before (``/api/v1/wechat/followers``) adds ``follower``."""
    followers = follower_views(session, [(row.account, row.from_user) for row in rows if row.platform == "wechat"])
    views = []
    for row in rows:
        view = row.public()
        view["follower"] = followers.get((row.account, row.from_user)) if row.platform == "wechat" else None
        views.append(view)
    return views


class InboundCollection:
    scope = Scope.ADMIN
    openapi = {"get": {"summary": "Search inbound messages and events, newest first", "parameters": _QUERY_PARAMS}}

    def __init__(self, database: Database) -> None:
        self.database = database

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        params = {key: value for key, value in req.params.items() if value != ""}
        for key, value in params.items():
            if isinstance(value, list):
                raise ApiError(falcon.HTTP_400, f"give '{key}' once", code="invalid_parameter")
        query = parse_model(InboundQuery, params)
        conditions = []
        if query.platform:
            conditions.append(InboundRecord.platform == query.platform)
        if query.account:
            conditions.append(InboundRecord.account == query.account)
        if query.msg_type:
            conditions.append(InboundRecord.msg_type == query.msg_type)
        if query.event:
            conditions.append(func.lower(InboundRecord.event) == query.event.lower())
        if query.from_user:
            conditions.append(InboundRecord.from_user == query.from_user)
        if query.since:
            conditions.append(InboundRecord.received_at >= query.since)
        if query.until:
            conditions.append(InboundRecord.received_at < query.until)
        if query.q:
            conditions.append(InboundRecord.fields_json.icontains(query.q, autoescape=True))
        with self.database.session() as session:
            total = session.scalar(select(func.count()).select_from(InboundRecord).where(*conditions))
            rows = session.scalars(select(InboundRecord).where(*conditions)
                                   .order_by(InboundRecord.received_at.desc(), InboundRecord.id.desc())
                                   .limit(query.limit).offset(query.offset)).all()
            resp.media = {"items": with_followers(session, rows), "total": total, "limit": query.limit,
                          "offset": query.offset}


class InboundItem:
    scope = Scope.ADMIN
    openapi = {"get": {"summary": "One inbound message or event, with every field the platform sent"}}

    def __init__(self, database: Database) -> None:
        self.database = database

    def on_get(self, req: falcon.Request, resp: falcon.Response, inbound_id: int) -> None:
        with self.database.session() as session:
            record = session.get(InboundRecord, inbound_id)
            if record is None:
                raise ApiError(falcon.HTTP_404, f"no inbound message with id {inbound_id}", code="not_found")
            [resp.media] = with_followers(session, [record])
