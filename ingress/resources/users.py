"""``/api/v1/users``: operators create users and bind or unbind their WeChat accounts (admin scope).

A user logs in through WeChat only once one of its bindings matches the account that scanned the code
(``wechat``) or opened the mini-program (``wechat_applet``); see ``/token/login``. Those two bindings name the
account (Official Account or mini-program) whose openid they hold: ``account``, omitted: ``default``.
"""

from __future__ import annotations

from typing import Any

import falcon
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from config.settings import ACCOUNT_CODE_PATTERN, DEFAULT_ACCOUNT
from core.accounts import Accounts
from ingress.bodies import read_model
from ingress.bounds import MAX_ROW_ID
from ingress.errors import ApiError
from models import Database, Scope, ThirdPartyBinding, User
from models.base import as_utc
from models.users import BindingConflict, BindingPlatform, bind_account
from models.wechat.followers import follower_views

DEFAULT_LIMIT, MAX_LIMIT = 50, 200
USERNAME_PATTERN = r"^[A-Za-z0-9_.@-]+$"


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    username: str = Field(min_length=1, max_length=64, pattern=USERNAME_PATTERN)
    display_name: str = Field(default="", alias="displayName", max_length=100)
    enabled: bool = True


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    username: str | None = Field(default=None, min_length=1, max_length=64, pattern=USERNAME_PATTERN)
    display_name: str | None = Field(default=None, alias="displayName", max_length=100)
    enabled: bool | None = None


class BindingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    platform: BindingPlatform
    openid: str = Field(min_length=1, max_length=128)
    unionid: str | None = Field(default=None, min_length=1, max_length=128)
    #: The Official Account (``wechat``) or mini-program (``wechat_applet``) the openid belongs to.
    account: str = Field(default=DEFAULT_ACCOUNT, pattern=ACCOUNT_CODE_PATTERN)


#: The binding platforms whose openid is one account's, and the account platform that is.
ACCOUNT_PLATFORM = {BindingPlatform.WECHAT: "wechat", BindingPlatform.WECHAT_APPLET: "wechat-applet"}


def _check_account(body: BindingCreate, accounts: Accounts | None) -> None:
    """422 naming ``account`` when no account of the binding's kind has that code."""
    if body.account == DEFAULT_ACCOUNT:
        return
    platform = ACCOUNT_PLATFORM.get(body.platform)
    if platform is None:
        message = f"a {body.platform.value} binding has no account (only wechat and wechat_applet have one)"
    elif accounts is not None and accounts.get(platform, body.account) is None:
        message = f"no {platform} account has the code '{body.account}'"
    else:
        return
    raise ApiError(falcon.HTTP_422, message, code="validation_error",
                   details=[{"field": "account", "message": message, "type": "not_found"}])


def _get_user(session: Any, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise ApiError(falcon.HTTP_404, f"no user with id {user_id}", code="not_found")
    return user


def _with_bindings(session: Any, user: User) -> dict[str, Any]:
    bindings = session.scalars(select(ThirdPartyBinding).where(ThirdPartyBinding.user_id == user.id)
                               .order_by(ThirdPartyBinding.id)).all()
    followers = follower_views(session, [(b.account, b.openid) for b in bindings if b.platform == "wechat"])

    def view(binding: ThirdPartyBinding) -> dict[str, Any]:
        follower = followers.get((binding.account, binding.openid)) if binding.platform == "wechat" else None
        return {**binding.public(), "follower": follower}

    return {**user.public(), "bindings": [view(b) for b in bindings],
            "createdAt": as_utc(user.created_at).isoformat(), "updatedAt": as_utc(user.updated_at).isoformat()}


def _taken(username: str) -> ApiError:
    return ApiError(falcon.HTTP_409, f"the username '{username}' is taken", code="username_taken",
                    params={"username": username})


class _UsersResource:
    scope = Scope.ADMIN

    def __init__(self, database: Database) -> None:
        self.database = database


class UserCollection(_UsersResource):
    openapi = {
        "get": {"summary": "List users (q searches username and display name; paged)", "parameters": [
            {"name": "q", "in": "query", "schema": {"type": "string"}},
            {"name": "limit", "in": "query", "schema": {"type": "integer"}},
            {"name": "offset", "in": "query", "schema": {"type": "integer"}}]},
        "post": {"summary": "Create a user", "body": UserCreate,
                 "example": {"username": "zhangsan", "displayName": "张三"},
                 "responses": {"201": "created", "409": "username taken"}},
    }

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        limit = req.get_param_as_int("limit", min_value=1, max_value=MAX_LIMIT) or DEFAULT_LIMIT
        offset = req.get_param_as_int("offset", min_value=0, max_value=MAX_ROW_ID) or 0
        conditions = []
        if q := (req.get_param("q") or "").strip():
            pattern = f"%{q.lower()}%"
            conditions.append(or_(func.lower(User.username).like(pattern), func.lower(User.display_name).like(pattern)))
        with self.database.session() as session:
            total = session.scalar(select(func.count()).select_from(User).where(*conditions))
            rows = session.scalars(select(User).where(*conditions).order_by(User.id).limit(limit).offset(offset)).all()
            resp.media = {"items": [row.public() for row in rows], "total": total, "limit": limit, "offset": offset}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = read_model(req, UserCreate)
        try:
            with self.database.session() as session:
                user = User(username=body.username, display_name=body.display_name, enabled=body.enabled)
                session.add(user)
                session.flush()
                answer = _with_bindings(session, user)
        except IntegrityError:
            raise _taken(body.username) from None
        resp.status = falcon.HTTP_201
        resp.media = answer


class UserItem(_UsersResource):
    openapi = {
        "get": {"summary": "One user, with its bindings"},
        "patch": {"summary": "Change a user: username, displayName, enabled (a disabled user's tokens stop "
                             "working)", "body": UserUpdate,
                  "example": {"displayName": "张三 (运维)", "enabled": True}},
    }

    def on_get(self, req: falcon.Request, resp: falcon.Response, user_id: int) -> None:
        with self.database.session() as session:
            resp.media = _with_bindings(session, _get_user(session, user_id))

    def on_patch(self, req: falcon.Request, resp: falcon.Response, user_id: int) -> None:
        body = read_model(req, UserUpdate)
        changes = body.model_dump(exclude_unset=True)
        if any(value is None for value in changes.values()):
            raise ApiError(falcon.HTTP_422, "fields cannot be set to null", code="validation_error")
        try:
            with self.database.session() as session:
                user = _get_user(session, user_id)
                for name, value in changes.items():
                    setattr(user, name, value)
                session.flush()
                resp.media = _with_bindings(session, user)
        except IntegrityError:
            raise _taken(str(changes.get("username"))) from None


class UserBindings(_UsersResource):
    openapi = {
        "get": {"summary": "A user's third-party bindings"},
        "post": {"summary": "Bind an account (platform wechat, wechat_applet, wechat_open: an openid; wecom: a "
                            "userid; dingtalk: a unionId) to the user",
                 "body": BindingCreate,
                 "example": {"platform": "wechat", "openid": "oDemoFollower000000000000001", "account": "default"},
                 "responses": {"201": "bound", "200": "already bound to this user", "409": "bound to another user"}},
    }

    def __init__(self, database: Database, accounts: Accounts | None = None) -> None:
        super().__init__(database)
        self.accounts = accounts

    def on_get(self, req: falcon.Request, resp: falcon.Response, user_id: int) -> None:
        with self.database.session() as session:
            resp.media = {"items": _with_bindings(session, _get_user(session, user_id))["bindings"]}

    def on_post(self, req: falcon.Request, resp: falcon.Response, user_id: int) -> None:
        body = read_model(req, BindingCreate)
        _check_account(body, self.accounts)
        with self.database.session() as session:
            _get_user(session, user_id)
            try:
                binding, created = bind_account(session, user_id, body.platform.value, body.openid, body.unionid,
                                                body.account)
            except BindingConflict as exc:
                raise ApiError(falcon.HTTP_409, f"{exc} (user {exc.user_id}); unbind it there first",
                               code="bound_elsewhere", details={"userId": exc.user_id}) from None
            answer = binding.public()
        resp.status = falcon.HTTP_201 if created else falcon.HTTP_200
        resp.media = answer


class UserBinding(_UsersResource):
    openapi = {"delete": {"summary": "Unbind: the account can no longer log in as this user",
                          "responses": {"204": "unbound"}}}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, user_id: int, binding_id: int) -> None:
        with self.database.session() as session:
            binding = session.get(ThirdPartyBinding, binding_id)
            if binding is None or binding.user_id != user_id:
                raise ApiError(falcon.HTTP_404, f"user {user_id} has no binding {binding_id}", code="not_found")
            session.delete(binding)
        resp.status = falcon.HTTP_204
