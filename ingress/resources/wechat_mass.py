"""``/api/v1/wechat/mass-sends``: mass sends to every follower, a tag or a list of openids (admin scope).

A mass send cannot be taken back, so it takes two requests: ``POST`` makes a draft and answers the preview (whom it
reaches: all followers, the tag's name and follower count, or how many openids; what it says), and
``POST .../{id}/confirm`` sends it (a job; the row's ``clientmsgid`` makes a retried job send nothing new).
``.../status`` reads WeChat's status back (``mass/get``), ``.../delete-articles`` hides a sent article
(``mass/delete``). WeChat's MASSSENDJOBFINISH event lands on the row as ``report``. A draft is made for one Official
Account (``?account=``; omitted: the default), whose tags it names and whose token its jobs use; the list takes
``?account=`` too.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import falcon
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy import func, select

from config.settings import DEFAULT_ACCOUNT
from core import job_kinds
from core.accounts import Accounts
from core.tasks import Tasks
from ingress.bodies import parse_model, read_json, read_model
from ingress.bounds import MAX_ROW_ID
from ingress.errors import ApiError, unprocessable, validation_details
from ingress.platform_gate import row_account
from ingress.resources.accounts import ACCOUNT_PARAMETER, query_account
from ingress.resources.jobs import JOB_ACCEPTED, enqueue_job, job_accepted
from ingress.resources.wechat_followers import Openid
from models import Database, Scope
from models.base import utcnow
from models.jobs import create_job
from models.notifications.common import max_bytes
from models.wechat.followers import WeChatTag
from models.wechat.mass_sends import MassStatus, WeChatMassSend, mass_send_view

MAX_OPENIDS = 10000


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Audience(_Body):
    """Exactly one of: ``all: true``, ``tag`` (a synced tag's name or id), ``openids`` (2..10000)."""

    all: Literal[True] | None = None
    tag: Annotated[str, Field(min_length=1, max_length=30)] | int | None = None
    openids: list[Openid] | None = Field(default=None, min_length=2, max_length=MAX_OPENIDS)

    @model_validator(mode="after")
    def _one(self) -> Audience:
        if sum(value is not None for value in (self.all, self.tag, self.openids)) != 1:
            raise ValueError("give exactly one of all (true), tag, openids")
        return self


class _Content(_Body):
    content: Annotated[str, Field(min_length=1), max_bytes(2048)]


class _Media(_Body):
    media_id: Annotated[str, Field(min_length=1, max_length=128)]


class _Card(_Body):
    card_id: Annotated[str, Field(min_length=1, max_length=64)]


class TextMass(_Body):
    msgtype: Literal["text"]
    text: _Content


class MpNewsMass(_Body):
    msgtype: Literal["mpnews"]
    mpnews: _Media


class ImageMass(_Body):
    msgtype: Literal["image"]
    image: _Media


class VoiceMass(_Body):
    msgtype: Literal["voice"]
    voice: _Media


class MpVideoMass(_Body):
    msgtype: Literal["mpvideo"]
    mpvideo: _Media


class CardMass(_Body):
    msgtype: Literal["wxcard"]
    wxcard: _Card


MassMessage = Annotated[TextMass | MpNewsMass | ImageMass | VoiceMass | MpVideoMass | CardMass,
                        Field(discriminator="msgtype")]


class MassDraft(_Body):
    audience: Audience
    message: MassMessage
    #: Send even when WeChat finds the article is a reprint (otherwise it stops the send).
    send_ignore_reprint: bool = False


class MassQuery(_Body):
    status: Literal["draft", "sending", "sent", "failed"] | None = None
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=MAX_ROW_ID)


class ArticleDelete(_Body):
    #: 1-based article of a multi-article send; 0 hides them all.
    article_idx: int = Field(default=0, ge=0, le=8)


_ACCEPTED = {"202": ("queued", JOB_ACCEPTED)}


def _read_draft(req: falcon.Request) -> MassDraft:
    """The body as a :class:`MassDraft`; problems named as the body has them (``message.text.content``, without
    the union's tag in between)."""
    data = read_json(req)
    try:
        return MassDraft.model_validate(data)
    except ValidationError as exc:
        message = data.get("message") if isinstance(data, dict) else None
        tag = message.get("msgtype") if isinstance(message, dict) else None
        details = []
        for detail in validation_details(exc):
            parts = detail["field"].split(".")
            if len(parts) > 1 and parts[0] == "message" and parts[1] == tag:
                detail = {**detail, "field": ".".join([parts[0], *parts[2:]])}
            details.append(detail)
        raise unprocessable("the mass send is not valid", details) from exc


def _get(session: Any, mass_id: int) -> WeChatMassSend:
    row = session.get(WeChatMassSend, mass_id)
    if row is None:
        raise ApiError(falcon.HTTP_404, f"no mass send {mass_id}", code="not_found")
    return row


def _tag_count(session: Any, row: WeChatMassSend) -> int | None:
    tag = session.get(WeChatTag, (row.account or DEFAULT_ACCOUNT, row.tag_id)) if row.tag_id is not None else None
    return tag.count if tag is not None else None


def _find_tag(session: Any, tag: str | int, account: str) -> WeChatTag:
    """``account``'s tag by id or name (tag ids and names are each account's own)."""
    found = (session.get(WeChatTag, (account, tag)) if isinstance(tag, int)
             else session.scalars(select(WeChatTag).where(WeChatTag.account == account, WeChatTag.name == tag)).first())
    if found is None:
        raise unprocessable("the mass send is not valid", [
            {"field": "audience.tag", "message": f"no tag {tag!r} (sync them: POST /api/v1/wechat/tags/sync)",
             "type": "value_error"}])
    return found


class MassSendCollection:
    scope = Scope.ADMIN
    openapi = {
        "get": {"summary": "Mass sends, newest first (filter: status)", "parameters": [
            {"name": name, "in": "query", "required": False, "schema": {"type": kind}}
            for name, kind in [("status", "string"), ("limit", "integer"), ("offset", "integer")]]
            + [ACCOUNT_PARAMETER]},
        "post": {"summary": "Make a mass-send draft; answers its preview (audience, message). Nothing is sent "
                            "until POST /api/v1/wechat/mass-sends/{id}/confirm",
                 "body": MassDraft,
                 "example": {"audience": {"tag": "VIP"},
                             "message": {"msgtype": "text", "text": {"content": "本周活动 / this week's event"}}},
                 "parameters": [ACCOUNT_PARAMETER],
                 "responses": {"201": "the draft with its preview", "422": "invalid: names the field"}}}

    def __init__(self, database: Database, accounts: Accounts | None = None) -> None:
        self.database, self.accounts = database, accounts

    def _account(self, req: falcon.Request) -> str:
        return query_account(req, self.accounts) if self.accounts is not None else DEFAULT_ACCOUNT

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        account = self._account(req)
        query = parse_model(MassQuery, {k: v for k, v in req.params.items() if v != "" and k != "account"})
        conditions = [WeChatMassSend.account == account]
        if query.status is not None:
            conditions.append(WeChatMassSend.status == query.status)
        with self.database.session() as session:
            total = session.scalar(select(func.count()).select_from(WeChatMassSend).where(*conditions)) or 0
            rows = session.scalars(select(WeChatMassSend).where(*conditions).order_by(WeChatMassSend.id.desc())
                                   .offset(query.offset).limit(query.limit)).all()
            resp.media = {"items": [mass_send_view(row, _tag_count(session, row)) for row in rows], "total": total,
                          "limit": query.limit, "offset": query.offset}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        account = self._account(req)
        body = _read_draft(req)
        message = body.message.model_dump(mode="json")
        with self.database.session() as session:
            tag = _find_tag(session, body.audience.tag, account) if body.audience.tag is not None else None
            audience = "all" if body.audience.all else "tag" if tag is not None else "openids"
            row = WeChatMassSend(account=account, status=MassStatus.DRAFT.value, audience=audience,
                                 msgtype=message["msgtype"],
                                 tag_id=tag.id if tag else None, tag_name=tag.name if tag else None,
                                 openids=list(dict.fromkeys(body.audience.openids or [])), message=message,
                                 send_ignore_reprint=body.send_ignore_reprint)
            if audience == "openids" and len(row.openids) < 2:
                raise unprocessable("the mass send is not valid", [
                    {"field": "audience.openids", "message": "WeChat sends to at least 2 different openids",
                     "type": "too_short"}])
            session.add(row)
            session.flush()
            resp.media = mass_send_view(row, tag.count if tag else None)
        resp.status = falcon.HTTP_201
        resp.location = f"/api/v1/wechat/mass-sends/{resp.media['id']}"


class MassSendItem:
    scope = Scope.ADMIN
    openapi = {"get": {"summary": "One mass send: its preview, status, WeChat's ids and report"},
               "delete": {"summary": "Drop a draft (a mass send already confirmed cannot be dropped: 409)",
                          "responses": {"204": "dropped", "409": "not a draft"}}}

    def __init__(self, database: Database) -> None:
        self.database = database

    def on_get(self, req: falcon.Request, resp: falcon.Response, mass_id: int) -> None:
        with self.database.session() as session:
            row = _get(session, mass_id)
            resp.media = mass_send_view(row, _tag_count(session, row))

    def on_delete(self, req: falcon.Request, resp: falcon.Response, mass_id: int) -> None:
        with self.database.session() as session:
            row = _get(session, mass_id)
            if row.status != MassStatus.DRAFT.value:
                raise ApiError(falcon.HTTP_409, f"mass send {mass_id} is {row.status}, not a draft", code="conflict")
            session.delete(row)
        resp.status = falcon.HTTP_204


class MassSendConfirm:
    scope = Scope.ADMIN
    needs_platform = {"POST": "wechat"}
    openapi = {"post": {"summary": "Confirm a draft: send it (a job; cannot be taken back). A second confirmation "
                                   "is a 409", "responses": {**_ACCEPTED, "409": "not a draft"}}}

    def __init__(self, database: Database, tasks: Tasks) -> None:
        self.database, self.tasks = database, tasks

    def account_of(self, mass_id: int) -> str | None:
        return row_account(self.database, WeChatMassSend, mass_id)

    def on_post(self, req: falcon.Request, resp: falcon.Response, mass_id: int) -> None:
        with self.database.session() as session:
            row = _get(session, mass_id)
            if row.status != MassStatus.DRAFT.value:
                raise ApiError(falcon.HTTP_409, f"mass send {mass_id} is {row.status}: confirmed already",
                               code="conflict")
            job_id = create_job(session, job_kinds.MASS_SEND, {"massId": mass_id}, account=row.account).id
            row.status, row.job_id, row.confirmed_at = MassStatus.SENDING.value, job_id, utcnow()
        enqueue_job(self.database, self.tasks, job_id)
        job_accepted(resp, job_id)


class _SentAction:
    scope = Scope.ADMIN
    needs_platform = {"POST": "wechat"}
    kind = ""

    def __init__(self, database: Database, tasks: Tasks) -> None:
        self.database, self.tasks = database, tasks

    def account_of(self, mass_id: int) -> str | None:
        return row_account(self.database, WeChatMassSend, mass_id)

    def params(self, req: falcon.Request) -> dict[str, Any]:
        return {}

    def on_post(self, req: falcon.Request, resp: falcon.Response, mass_id: int) -> None:
        params = self.params(req)
        with self.database.session() as session:
            row = _get(session, mass_id)
            if not row.msg_id:
                raise ApiError(falcon.HTTP_409, f"mass send {mass_id} has no msg_id from WeChat ({row.status})",
                               code="conflict")
            job_id = create_job(session, self.kind, {"massId": mass_id, **params}, account=row.account).id
        enqueue_job(self.database, self.tasks, job_id)
        job_accepted(resp, job_id)


class MassSendStatus(_SentAction):
    kind = job_kinds.MASS_GET
    openapi = {"post": {"summary": "Read the send's status back from WeChat (a job; mass/get)",
                        "responses": {**_ACCEPTED, "409": "not sent"}}}


class MassSendDeleteArticles(_SentAction):
    kind = job_kinds.MASS_DELETE
    openapi = {"post": {"summary": "Hide a sent mpnews/mpvideo (a job; mass/delete); the messages stay received",
                        "body": ArticleDelete, "example": {"article_idx": 0},
                        "responses": {**_ACCEPTED, "409": "not sent"}}}

    def params(self, req: falcon.Request) -> dict[str, Any]:
        body = read_model(req, ArticleDelete) if req.content_length else ArticleDelete()
        return {"articleIdx": body.article_idx}
