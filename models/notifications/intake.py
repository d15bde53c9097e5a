"""Accepting a notification: validate the whole request, resolve its robot and template, keep its media bytes,
and write the delivery record. Shared by REST, the producers' broker message and ``imbridge send``.

Nothing here talks to a platform or a broker: the caller enqueues after the record is committed.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from pydantic import ValidationError
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from config.settings import DEFAULT_ACCOUNT, Settings, ThirdSettings
from models.base import utcnow
from models.blobs import Viewer, find_upload, get_blob, put_upload
from models.deliveries import Channel, Delivery, DeliveryStatus, new_delivery_id
from models.message_templates import MAX_OUTPUT_BYTES, find_template
from models.notifications.availability import account_problems, channel_problems
from models.notifications.common import MEDIA_KEYS, MediaRef, inline_image_md5
from models.notifications.reply_to import resolve_reply_to
from models.notifications.request import (
    REQUEST_ADAPTER,
    SUBSCRIBE_ACCOUNTS,
    GroupRequest,
    ProblemList,
    RobotRequest,
    SubscribeRequest,
    WeChatCustomRequest,
    WeChatTemplateRequest,
    WorkRequest,
    apply_template,
    message_type,
    problem,
)
from models.notifications.wechat_subscribe import resolve_subscribe_template
from models.notifications.wechat_template import resolve_template
from models.notifications.wecom_robot import MAX_IMAGE_BYTES
from models.robots import Robot


class RequestInvalid(Exception):
    """The request cannot be accepted; ``problems`` lists every reason as ``{field, message, type}``."""

    def __init__(self, problems: ProblemList) -> None:
        super().__init__("; ".join(f"{p['field']}: {p['message']}" for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Accepted:
    """The record a request made (or found): its id and status, not the ORM object (the insert is Core)."""

    id: str
    status: str
    #: False when an earlier request (same Idempotency-Key, or same id) already made this record.
    created: bool


class RobotRef(NamedTuple):
    """What a delivery record keeps of its robot."""

    id: int
    code: str


_ROBOTS = Robot.__table__
#: The robot's id, code and state only: a Core row is a fraction of the cost of loading the ORM entity, and this
#: runs on every robot notification the ingress accepts.
_FIND_ROBOT_REF = select(_ROBOTS.c.id, _ROBOTS.c.code, _ROBOTS.c.enabled).where(
    _ROBOTS.c.platform == bindparam("platform"), _ROBOTS.c.code == bindparam("code"))
_INSERT_DELIVERY = Delivery.__table__.insert()


def _pydantic_problems(exc: ValidationError, data: dict[str, Any]) -> ProblemList:
    """Pydantic's errors with the union tags taken out of the paths (``message.text.content``, not
    ``dingtalk_robot.message.text.text.content``)."""
    message = data.get("message")
    msgtype = message_type(message)
    problems = []
    for error in exc.errors(include_url=False):
        loc = [str(p) for p in error["loc"]]
        if loc and loc[0] == data.get("channel"):
            loc = loc[1:]
        if len(loc) > 1 and loc[0] == "message" and loc[1] == msgtype:
            loc = [loc[0], *loc[2:]]
        problems.append(problem(".".join(loc) or "body", error["msg"].removeprefix("Value error, "), error["type"]))
    return problems


def find_existing(session: Session, client_id: int | None, idempotency_key: str | None,
                  delivery_id: str | None) -> Delivery | None:
    if delivery_id is not None:
        found = session.get(Delivery, delivery_id)
        if found is not None:
            return found
    if idempotency_key is not None and client_id is not None:
        return session.scalars(select(Delivery).where(
            Delivery.client_id == client_id, Delivery.idempotency_key == idempotency_key)).one_or_none()
    return None


@dataclass(frozen=True)
class IntakeRules:
    """What a request is checked against beyond its own shape, from the settings.

    ``third``: the platforms; an app channel of one that is off (no credentials) is refused, naming the keys.
    ``template_limit``: the longest text (UTF-8 bytes) a message template may render to.
    """

    third: ThirdSettings
    template_limit: int = MAX_OUTPUT_BYTES
    #: ``(platform, code) -> that account's settings or None``: what a request's ``account`` may name. None: the
    #: config's ``third.accounts`` only (a process with a database passes its registry, which knows the API's).
    find_account: Callable[[str, str], Any] | None = None

    @classmethod
    def from_settings(cls, settings: Settings, find_account: Callable[[str, str], Any] | None = None) -> IntakeRules:
        return cls(settings.third, settings.notifications.max_template_output_bytes, find_account)

    def account_settings(self, platform: str, code: str) -> Any:
        """The settings of ``platform``'s account ``code``, or None."""
        if self.find_account is not None:
            return self.find_account(platform, code)
        return next((a for a in self.third.accounts if a.platform == platform and a.code == code), None)


def validate(session: Session, data: Any, rules: IntakeRules,
             robots: dict[tuple[str, str], Any] | None = None) -> tuple[Any, RobotRef | None]:
    """The validated request and its robot; :class:`RequestInvalid` listing every problem otherwise.

    ``rules``: which platforms are on, how long a template may render. ``robots``: robot rows already looked up
    in this unit, by (platform, code); a batch passes one dict for all its items, so a hundred notifications to
    one robot look it up once.
    """
    if not isinstance(data, dict):
        raise RequestInvalid([problem("body", "a JSON object is expected", "type_error")])
    data, problems = resolve_reply_to(session, data)
    if problems:
        raise RequestInvalid(problems)
    account = data.get("account")
    if account is None or account == DEFAULT_ACCOUNT:
        problems = channel_problems(rules.third, data.get("channel"))
    else:
        problems = account_problems(rules.account_settings, data.get("channel"), account)
    if "template" in data:  # rendering fills the message in place: on a copy, the caller's data stays as it was
        data = copy.deepcopy(data)
        problems += apply_template(data, lambda code: find_template(session, code), rules.template_limit)
    request = None
    try:
        request = REQUEST_ADAPTER.validate_python(data)
    except ValidationError as exc:
        problems += _pydantic_problems(exc, data)
    robot = None
    channel, code = data.get("channel"), data.get("robot")
    if channel in (Channel.DINGTALK_ROBOT, Channel.WECOM_ROBOT) and isinstance(code, str):
        where = (Channel(channel).platform, code)
        if robots is not None and where in robots:
            found = robots[where]
        else:
            found = session.connection().execute(_FIND_ROBOT_REF, {"platform": where[0], "code": code}).one_or_none()
            if robots is not None:
                robots[where] = found
        if found is None or not found.enabled:
            state = "disabled" if found is not None else "no"
            problems.append(problem("robot", f"{state} {Channel(channel).platform} robot with code '{code}'"))
        else:
            robot = RobotRef(found.id, found.code)
    if isinstance(request, WeChatTemplateRequest):
        problems += resolve_template(session, request.message, request.account or DEFAULT_ACCOUNT)
    if isinstance(request, SubscribeRequest):
        problems += resolve_subscribe_template(session, SUBSCRIBE_ACCOUNTS[request.channel], request.message,
                                               request.account or DEFAULT_ACCOUNT)
    if problems or request is None:
        raise RequestInvalid(problems)
    return request, robot


def _store_media(session: Session, message: dict[str, Any], where: str, problems: ProblemList,
                 client_id: int | None, viewer: Callable[[], Viewer]) -> None:
    """Replace inline media by blob references (bytes stored once; the uploads ``client_id``'s), check that
    referenced blobs are uploads ``viewer`` sees."""
    for key, value in list(message.items()):
        path = f"{where}.{key}"
        if key in MEDIA_KEYS and isinstance(value, dict):
            ref = MediaRef.model_validate(value)
            if ref.base64 is not None:
                upload = put_upload(session, ref.content(), ref.filename or "file",
                                    ref.contentType or "application/octet-stream", client_id)
            else:
                upload = find_upload(session, ref.blobId or "", viewer())
                if upload is None:
                    problems.append(problem(f"{path}.blobId", "no stored upload with this id among this API "
                                                              "client's (uploading the file gives the same id)"))
                    continue
            message[key] = {"blobId": upload.blob_id, "filename": ref.filename or upload.filename,
                            "contentType": ref.contentType or upload.content_type}
        elif isinstance(value, dict):
            _store_media(session, value, path, problems, client_id, viewer)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    _store_media(session, item, f"{path}.{i}", problems, client_id, viewer)


def _normalise(session: Session, channel: str, message: dict[str, Any], client_id: int | None) -> ProblemList:
    image = message.get("image") if channel == Channel.WECOM_ROBOT else None
    if isinstance(image, dict) and "base64" in image:
        # The platform's inline shape becomes a stored blob too: the row keeps an id, not megabytes of base64.
        content = inline_image_md5(image.pop("base64"), image.pop("md5"))
        image["media"] = {"blobId": put_upload(session, content, "image.png", "image/png", client_id).blob_id}
    problems: ProblemList = []
    viewer = functools.cache(lambda: Viewer.of(session, client_id))  # read only for a request naming a blob
    _store_media(session, message, "message", problems, client_id, viewer)
    if isinstance(image, dict) and not problems:
        blob = get_blob(session, image["media"]["blobId"])
        if blob is not None and blob.size > MAX_IMAGE_BYTES:
            problems.append(problem("message.image.media", f"the image is {blob.size} bytes; WeCom robots take "
                                                           f"at most {MAX_IMAGE_BYTES}"))
    return problems


def target_of(request: Any) -> str:
    if isinstance(request, RobotRequest):
        return request.robot
    if isinstance(request, WeChatTemplateRequest | WeChatCustomRequest | SubscribeRequest):
        return request.message.touser
    if isinstance(request, GroupRequest):
        to = request.to
        text = getattr(to, "group", None) or getattr(to, "chat", None) or "users:" + ",".join(to.users)
        return text if len(text) <= 255 else text[:252] + "..."
    to = request.to
    parts = [f"{name}:{','.join(map(str, values))}" for name, values in
             (("users", to.users), ("departments", to.departments), ("tags", to.tags)) if values]
    text = "all" if to.all else " ".join(parts)
    return text if len(text) <= 255 else text[:252] + "..."


def accept(session: Session, data: Any, rules: IntakeRules, *, client_id: int | None = None,
           idempotency_key: str | None = None, delivery_id: str | None = None, source: str = "rest",
           enqueued_at: datetime | None = None) -> Accepted:
    """Write the delivery record for ``data`` (status ``queued``), checked against ``rules``.

    ``enqueued_at``: the caller enqueues right after the commit and says so in the same INSERT (it clears it
    again if the broker refuses); None leaves the record to the outbox sweep. A repeated ``idempotency_key``
    (per client) or ``delivery_id`` returns the first record, unchanged.
    """
    existing = find_existing(session, client_id, idempotency_key, delivery_id)
    if existing is not None:
        return Accepted(existing.id, existing.status, False)
    prepared = prepare(session, data, rules, client_id=client_id)
    return record(session, prepared, client_id=client_id, idempotency_key=idempotency_key, delivery_id=delivery_id,
                  source=source, enqueued_at=enqueued_at)


def prepare(session: Session, data: Any, rules: IntakeRules, robots: dict[tuple[str, str], Any] | None = None, *,
            client_id: int | None = None) -> dict[str, Any]:
    """Validate ``data`` and keep its media bytes: the delivery row's request columns, ready for :func:`record`.

    :class:`RequestInvalid` lists every problem; media it stored by then goes with the caller's rollback.
    ``client_id``: the API client asking (None: a broker producer or the CLI); inline media become its uploads,
    and a ``blobId`` must be one of the uploads it sees (:class:`models.blobs.Viewer`). ``rules`` and ``robots`` as
    for :func:`validate`.
    """
    request, robot = validate(session, data, rules, robots)
    message = request.message.model_dump(mode="json", exclude_unset=True)
    problems = ([] if isinstance(request, WeChatTemplateRequest | SubscribeRequest)
                else _normalise(session, request.channel, message, client_id))
    if problems:
        raise RequestInvalid(problems)
    payload: dict[str, Any] = {"message": message}
    if isinstance(request, WorkRequest | GroupRequest):
        payload["to"] = request.to.model_dump(mode="json", exclude_defaults=True)
    return {"channel": request.channel, "account": request.account or DEFAULT_ACCOUNT,
            "robot_id": robot.id if robot else None,
            "robot_code": robot.code if robot else None, "target": target_of(request), "msgtype": message_type(message),
            "payload": payload}


def _row(prepared: dict[str, Any], *, client_id: int | None, idempotency_key: str | None, delivery_id: str | None,
         source: str, enqueued_at: datetime | None) -> dict[str, Any]:
    now = utcnow()
    return {**prepared, "id": delivery_id or new_delivery_id(), "status": DeliveryStatus.QUEUED.value,
            "attempts": 0, "failed_attempts": 0, "client_id": client_id, "idempotency_key": idempotency_key,
            "source": source, "enqueued_at": enqueued_at, "created_at": now, "updated_at": now,
            "budget_started_at": now}


def record(session: Session, prepared: dict[str, Any], *, client_id: int | None = None,
           idempotency_key: str | None = None, delivery_id: str | None = None, source: str = "rest",
           enqueued_at: datetime | None = None) -> Accepted:
    """Insert the ``queued`` row of a :func:`prepare`d request (a Core INSERT: no ORM unit of work per row).

    A row whose ``idempotency_key`` or ``delivery_id`` won a race with this one a moment ago is answered
    instead, as :func:`accept` would.
    """
    row = _row(prepared, client_id=client_id, idempotency_key=idempotency_key, delivery_id=delivery_id,
               source=source, enqueued_at=enqueued_at)
    if delivery_id is None and idempotency_key is None:
        # Nothing to race on: no savepoint (SQLite would start its transaction early).
        session.connection().execute(_INSERT_DELIVERY, row)
        return Accepted(row["id"], row["status"], True)
    try:
        with session.begin_nested():
            session.connection().execute(_INSERT_DELIVERY, row)
    except IntegrityError:
        # The same key (or id) won a race with us a moment ago: answer with that record.
        existing = find_existing(session, client_id, idempotency_key, delivery_id)
        if existing is None:
            raise
        return Accepted(existing.id, existing.status, False)
    return Accepted(row["id"], row["status"], True)


def record_many(session: Session, requests: list[tuple[dict[str, Any], str | None]], *, client_id: int | None,
                source: str = "rest", enqueued_at: datetime | None = None) -> list[Accepted]:
    """Insert the rows of several :func:`prepare`d requests (each with its idempotency key or None), in order.

    The rows without a key go in one multi-row INSERT; a keyed row gets its own savepoint, so a key that won a
    race with this batch a moment ago answers with its first record, as :func:`record` does.
    """
    rows = [_row(prepared, client_id=client_id, idempotency_key=key, delivery_id=None, source=source,
                 enqueued_at=enqueued_at) for prepared, key in requests]
    plain = [row for row in rows if row["idempotency_key"] is None]
    if plain:
        session.connection().execute(_INSERT_DELIVERY, plain)
    accepted = []
    for row in rows:
        if row["idempotency_key"] is None:
            accepted.append(Accepted(row["id"], row["status"], True))
            continue
        prepared = {name: row[name] for name in ("channel", "account", "robot_id", "robot_code", "target", "msgtype",
                                                 "payload")}
        accepted.append(record(session, prepared, client_id=client_id, idempotency_key=row["idempotency_key"],
                               source=source, enqueued_at=enqueued_at))
    return accepted


def find_keyed(session: Session, client_id: int, keys: list[str]) -> dict[str, Accepted]:
    """The first records of the idempotency keys among ``keys`` that ``client_id`` used before, in one query."""
    if not keys:
        return {}
    found = session.execute(select(Delivery.idempotency_key, Delivery.id, Delivery.status).where(
        Delivery.client_id == client_id, Delivery.idempotency_key.in_(keys)))
    return {key: Accepted(delivery_id, status, False) for key, delivery_id, status in found}
