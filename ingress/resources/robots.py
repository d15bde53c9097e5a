"""``/api/v1/robots/dingtalk`` and ``/api/v1/robots/wecom``: operators manage group robots (admin scope).

Credentials go in once and never come back out: answers show them masked (``demo****``), and they are stored
sealed with the secret key. The whole webhook URL copied from the platform's console is accepted where the
credential belongs and reduced to it (:mod:`platforms.robot_urls`); a URL of another host is a 422. After each
change the robot's version is bumped (:mod:`core.robot_versions`), so every worker uses it on its next send.
"""

from __future__ import annotations

from typing import Any

import falcon
import redis
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from config.masking import mask
from core import robot_versions
from ingress.bodies import read_model
from ingress.errors import ApiError
from models import Database, Scope
from models.notifications.common import Code
from models.robots import Robot, RobotPlatform, find_robot, seal_credentials
from models.secretbox import SecretBox, SecretKeyMissing, SecretUnreadable
from platforms.robot_urls import credential_from


def _check_sign_secret(value: str | None) -> str | None:
    """An empty secret removes signing; a present one looks like DingTalk's (``SEC...``)."""
    if value and not value.startswith("SEC"):
        raise ValueError("a DingTalk sign secret starts with SEC")
    return value or None


def _dingtalk_token(value: str | None) -> str | None:
    return None if value is None else _non_empty(credential_from("dingtalk", value))


def _wecom_key(value: str | None) -> str | None:
    return None if value is None else _non_empty(credential_from("wecom", value))


def _non_empty(value: str) -> str:
    if not value:
        raise ValueError("must not be blank")
    return value


class _RobotFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=100)
    enabled: bool | None = None
    remark: str | None = Field(default=None, max_length=2000)


class DingTalkRobotCreate(_RobotFields):
    code: Code
    name: str = Field(min_length=1, max_length=100)
    #: The ``access_token`` of the robot's webhook URL, or the whole URL (reduced to its access_token).
    accessToken: str = Field(min_length=1, max_length=1000)
    #: The signing secret (``SEC...``), when the robot has "加签" security.
    secret: str | None = Field(default=None, max_length=500)

    _sec = field_validator("secret")(classmethod(lambda cls, v: _check_sign_secret(v)))
    _token = field_validator("accessToken")(classmethod(lambda cls, v: _dingtalk_token(v)))


class DingTalkRobotUpdate(_RobotFields):
    accessToken: str | None = Field(default=None, min_length=1, max_length=1000)
    secret: str | None = Field(default=None, max_length=500)

    _sec = field_validator("secret")(classmethod(lambda cls, v: _check_sign_secret(v)))
    _token = field_validator("accessToken")(classmethod(lambda cls, v: _dingtalk_token(v)))


class WeComRobotCreate(_RobotFields):
    code: Code
    name: str = Field(min_length=1, max_length=100)
    #: The ``key`` of the robot's webhook URL, or the whole URL (reduced to its key).
    key: str = Field(min_length=1, max_length=1000)

    _key = field_validator("key")(classmethod(lambda cls, v: _wecom_key(v)))


class WeComRobotUpdate(_RobotFields):
    key: str | None = Field(default=None, min_length=1, max_length=1000)

    _key = field_validator("key")(classmethod(lambda cls, v: _wecom_key(v)))


_MODELS: dict[str, tuple[type[BaseModel], type[BaseModel]]] = {
    RobotPlatform.DINGTALK: (DingTalkRobotCreate, DingTalkRobotUpdate),
    RobotPlatform.WECOM: (WeComRobotCreate, WeComRobotUpdate),
}


def robot_view(robot: Robot, box: SecretBox) -> dict[str, Any]:
    try:
        token = mask(box.open(robot.token_sealed))
        secret = mask(box.open(robot.secret_sealed)) if robot.secret_sealed else None
    except SecretUnreadable:
        token = secret = "(unreadable with the current secret key: enter it again)"
    view: dict[str, Any] = {"id": robot.id, "platform": robot.platform, "code": robot.code, "name": robot.name,
                            "enabled": robot.enabled, "remark": robot.remark,
                            "createdAt": robot.created_at.isoformat(), "updatedAt": robot.updated_at.isoformat()}
    if robot.platform == RobotPlatform.DINGTALK:
        view.update(accessToken=token, secret=secret)
    else:
        view["key"] = token
    return view


def _credentials(body: BaseModel) -> tuple[str | None, Any]:
    """(token, secret) from a create/update body; ``...`` when the secret was not given."""
    fields = body.model_fields_set
    token = getattr(body, "accessToken", None) or getattr(body, "key", None)
    secret = getattr(body, "secret", None) if "secret" in fields else ...
    return token, secret


class _RobotResource:
    scope = Scope.ADMIN

    def __init__(self, database: Database, secret_key: str | None, platform: RobotPlatform,
                 redis_client: redis.Redis | None = None) -> None:
        self.database = database
        self.secret_key = secret_key
        self.platform = platform
        self.redis = redis_client

    def _changed(self, robot_id: int) -> None:
        """Tell the workers (after the commit): their cached copy of the robot is stale."""
        if self.redis is not None:
            robot_versions.bump(self.redis, robot_id)

    @property
    def box(self) -> SecretBox:
        try:
            return SecretBox(self.secret_key)
        except SecretKeyMissing as exc:
            raise ApiError(falcon.HTTP_503, f"robots are unavailable: {exc}", code="not_configured") from exc


#: What an operator copies from each platform's robot settings (the URL's token or key, and DingTalk's signing secret).
_EXAMPLES: dict[RobotPlatform, dict[str, str]] = {
    RobotPlatform.DINGTALK: {"code": "ops", "name": "运维群", "accessToken": "<access_token from the webhook URL>",
                             "secret": "SEC<signing secret>"},
    RobotPlatform.WECOM: {"code": "ops", "name": "运维群", "key": "<key from the webhook URL>"},
}


class RobotCollection(_RobotResource):
    def __init__(self, database: Database, secret_key: str | None, platform: RobotPlatform,
                 redis_client: redis.Redis | None = None) -> None:
        super().__init__(database, secret_key, platform, redis_client)
        create = _MODELS[platform][0]
        self.openapi = {"get": {"summary": f"List {platform} robots (credentials masked)"},
                        "post": {"summary": f"Add a {platform} robot", "body": create, "example": _EXAMPLES[platform],
                                 "responses": {"201": "created", "409": "the code is taken"}}}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        with self.database.session() as session:
            robots = session.scalars(select(Robot).where(Robot.platform == self.platform).order_by(Robot.code))
            resp.media = {"items": [robot_view(r, self.box) for r in robots]}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = read_model(req, _MODELS[self.platform][0])
        token, secret = _credentials(body)
        robot = Robot(platform=self.platform.value, code=body.code, name=body.name,  # type: ignore[attr-defined]
                      enabled=body.enabled if body.enabled is not None else True, remark=body.remark)
        seal_credentials(robot, self.box, token, None if secret is ... else secret)
        try:
            with self.database.session() as session:
                session.add(robot)
                session.flush()
                resp.media = robot_view(robot, self.box)
        except IntegrityError as exc:
            raise ApiError(falcon.HTTP_409, f"a {self.platform} robot with code '{robot.code}' exists",
                           code="conflict") from exc
        resp.status = falcon.HTTP_201


class RobotItem(_RobotResource):
    def __init__(self, database: Database, secret_key: str | None, platform: RobotPlatform,
                 redis_client: redis.Redis | None = None) -> None:
        super().__init__(database, secret_key, platform, redis_client)
        update = _MODELS[platform][1]
        self.openapi = {"get": {"summary": f"One {platform} robot (credentials masked)"},
                        "patch": {"summary": f"Change a {platform} robot; omitted fields stay", "body": update,
                                  "example": {"enabled": False, "remark": "维护中 / under maintenance"}},
                        "delete": {"summary": f"Remove a {platform} robot", "responses": {"204": "removed"}}}

    def _get(self, session: Any, code: str) -> Robot:
        robot = find_robot(session, self.platform, code)
        if robot is None:
            raise ApiError(falcon.HTTP_404, f"no {self.platform} robot with code '{code}'", code="not_found")
        return robot

    def on_get(self, req: falcon.Request, resp: falcon.Response, code: str) -> None:
        with self.database.session() as session:
            resp.media = robot_view(self._get(session, code), self.box)

    def on_patch(self, req: falcon.Request, resp: falcon.Response, code: str) -> None:
        body = read_model(req, _MODELS[self.platform][1])
        token, secret = _credentials(body)
        with self.database.session() as session:
            robot = self._get(session, code)
            for name in ("name", "enabled", "remark"):
                if name in body.model_fields_set and (getattr(body, name) is not None or name == "remark"):
                    setattr(robot, name, getattr(body, name))
            seal_credentials(robot, self.box, token, secret)
            session.flush()
            resp.media = robot_view(robot, self.box)
            robot_id = robot.id
        self._changed(robot_id)

    def on_delete(self, req: falcon.Request, resp: falcon.Response, code: str) -> None:
        with self.database.session() as session:
            robot = self._get(session, code)
            robot_id = robot.id
            session.delete(robot)
        self._changed(robot_id)
        resp.status = falcon.HTTP_204
