"""``/api/v1/accounts``: the Official Accounts, mini-programs, WeCom and DingTalk apps imbridge speaks for
(admin scope).

The config's accounts (each platform's seed block, ``default``, and ``third.accounts``) are listed read-only: a
change to one is a 409 saying to change the config file. Accounts added here are stored with their secrets sealed
(:mod:`models.accounts`) and work at once in every process (:mod:`core.accounts`), without a restart. A secret
never comes back out: answers say only whether each is set.
"""

from __future__ import annotations

from typing import Any, Literal

import falcon
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from config.settings import ACCOUNT_CODE_PATTERN, DEFAULT_ACCOUNT
from core.accounts import SECTIONS, Account, Accounts, stored_settings
from ingress.bodies import read_model
from ingress.errors import ApiError, unprocessable
from models import Database, Scope
from models.accounts import ACCOUNT_SECRETS, SECRET_FIELDS, StoredAccount
from models.base import iso
from models.secretbox import SecretBox, SecretKeyMissing, SecretUnreadable

#: API field -> settings field, for every setting an account may have.
FIELDS = {"appId": "app_id", "appSecret": "app_secret", "token": "token", "encodingAesKey": "encoding_aes_key",
          "corpId": "corp_id", "corpSecret": "corp_secret", "agentId": "agent_id", "appKey": "app_key",
          "apiBaseUrl": "api_base_url", "tokenMode": "token_mode", "v1ApiBaseUrl": "v1_api_base_url",
          "robotCode": "robot_code", "loginUrl": "login_url", "qrLogin": "qr_login"}
#: What an account of each platform cannot work without.
REQUIRED = {"wechat": ("appId", "appSecret"), "wechat-applet": ("appId", "appSecret"),
            "wecom": ("corpId", "corpSecret"), "ding-talk": ("appKey", "appSecret")}
#: The platforms whose accounts have a callback URL of their own.
PORTALS = {"wechat": "/wechat/portal", "wecom": "/wecom/portal"}

Platform = Literal["wechat", "wechat-applet", "wecom", "ding-talk"]


class _AccountFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=100)
    appId: str | None = Field(default=None, min_length=1, max_length=64)
    appSecret: str | None = Field(default=None, min_length=1, max_length=256)
    token: str | None = Field(default=None, min_length=1, max_length=128)
    encodingAesKey: str | None = Field(default=None, max_length=64)
    corpId: str | None = Field(default=None, min_length=1, max_length=64)
    corpSecret: str | None = Field(default=None, min_length=1, max_length=256)
    agentId: int | None = Field(default=None, ge=0)
    appKey: str | None = Field(default=None, min_length=1, max_length=64)
    apiBaseUrl: str | None = Field(default=None, min_length=1, max_length=500)
    tokenMode: Literal["stable", "classic"] | None = None
    v1ApiBaseUrl: str | None = Field(default=None, min_length=1, max_length=500)
    robotCode: str | None = Field(default=None, min_length=1, max_length=64)
    loginUrl: str | None = Field(default=None, min_length=1, max_length=500)
    #: An Official Account's QR login (its own pool of login codes); unset: on for ``default`` only.
    qrLogin: bool | None = None


class AccountCreate(_AccountFields):
    platform: Platform
    code: str = Field(pattern=ACCOUNT_CODE_PATTERN)


class AccountUpdate(_AccountFields):
    """Given fields change (``null`` removes an optional one), omitted fields stay."""


EXAMPLE_CREATE = {"platform": "wechat", "code": "sales", "name": "销售服务号 / Sales account",
                  "appId": "wx1234567890abcdef", "appSecret": "<AppSecret>", "token": "<callback token>",
                  "encodingAesKey": "<EncodingAESKey, 43 characters>"}


#: The ``?account=`` parameter of the routes that act for one account (templates, menus, media...).
ACCOUNT_PARAMETER = {"name": "account", "in": "query", "required": False, "schema": {"type": "string"},
                     "description": "the account's code (GET /api/v1/accounts); omitted: default"}


def query_account(req: falcon.Request, accounts: Accounts, platform: str = "wechat") -> str:
    """The request's ``?account=`` (omitted: ``default``); a 422 naming ``account`` when no account of
    ``platform`` has that code."""
    code = req.get_param("account") or DEFAULT_ACCOUNT
    if accounts.get(platform, code) is None:
        message = f"no {platform} account has the code '{code}'"
        raise unprocessable(message, [{"field": "account", "message": message, "type": "not_found"}])
    return code


def account_view(account: Account, row: StoredAccount | None = None) -> dict[str, Any]:
    """An account as the API shows it: its settings but secrets, and which secrets are set."""
    model_fields = type(account.settings).model_fields
    api_names = {snake: api for api, snake in FIELDS.items() if snake in model_fields}
    values = account.settings.model_dump()
    view: dict[str, Any] = {
        "platform": account.platform, "code": account.code, "name": account.name, "source": account.source,
        "settings": {api: values[snake] for snake, api in api_names.items() if snake not in SECRET_FIELDS},
        "secretsSet": {api: bool(values[snake]) for snake, api in api_names.items() if snake in SECRET_FIELDS},
        "portalUrl": (PORTALS[account.platform] + ("" if account.code == DEFAULT_ACCOUNT else f"/{account.code}")
                      if account.platform in PORTALS else None),
        "configured": bool(getattr(account.settings, "configured", False)),
    }
    if row is not None:
        view.update(createdAt=iso(row.created_at), updatedAt=iso(row.updated_at))
    return view


def _fields_of(platform: str, body: _AccountFields) -> dict[str, Any]:
    """The settings a body gives (snake_case), refusing fields the platform does not have."""
    model = SECTIONS[platform][1]
    given = {}
    for api in body.model_fields_set - {"name", "platform", "code"}:
        snake = FIELDS[api]
        if snake not in model.model_fields:
            message = f"a {platform} account has no {api}"
            raise unprocessable(message, [{"field": api, "message": message, "type": "extra_forbidden"}])
        given[snake] = getattr(body, api)
    return given


def _validated(platform: str, values: dict[str, Any]) -> None:
    """422 naming the field when the settings would not make a working account."""
    problems = [{"field": api, "message": "is required", "type": "missing"}
                for api in REQUIRED[platform] if not values.get(FIELDS[api])]
    try:
        SECTIONS[platform][1].model_validate({k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        reverse = {snake: api for api, snake in FIELDS.items()}
        problems += [{"field": ".".join(reverse.get(str(p), str(p)) for p in e["loc"]),
                      "message": e["msg"].removeprefix("Value error, "), "type": e["type"]} for e in exc.errors()]
    if problems:
        raise unprocessable(f"the {platform} account is not valid: "
                            + "; ".join(f"{p['field']} {p['message']}" for p in problems), problems)


def _store(row: StoredAccount, values: dict[str, Any], box: SecretBox) -> None:
    row.settings = {k: v for k, v in values.items() if k not in SECRET_FIELDS and v is not None}
    row.seal_secrets(box, {k: v for k, v in values.items() if k in SECRET_FIELDS and v})


class _AccountResource:
    scope = Scope.ADMIN

    def __init__(self, database: Database, accounts: Accounts, secret_key: str | None) -> None:
        self.database = database
        self.accounts = accounts
        self.secret_key = secret_key

    @property
    def box(self) -> SecretBox:
        try:
            return SecretBox(self.secret_key, ACCOUNT_SECRETS)
        except SecretKeyMissing as exc:
            raise ApiError(falcon.HTTP_503, f"accounts are unavailable: {exc}", code="not_configured") from exc

    def _refuse_config(self, platform: str, code: str) -> None:
        if (platform, code) in self.accounts.configured:
            where = f"third.{platform}" if code == DEFAULT_ACCOUNT else "third.accounts"
            raise ApiError(falcon.HTTP_409, f"the {platform} account '{code}' comes from the config file ({where}): "
                           "change it there", code="account_from_config")

    def _view(self, row: StoredAccount) -> dict[str, Any]:
        try:
            settings = stored_settings(row, self.box)
        except SecretUnreadable:
            return {"platform": row.platform, "code": row.code, "name": row.name, "source": "api",
                    "settings": row.settings, "secretsSet": {}, "configured": False,
                    "problem": "its secrets do not open with the current secret key: enter them again",
                    "createdAt": iso(row.created_at), "updatedAt": iso(row.updated_at)}
        return account_view(Account(row.platform, row.code, settings, "api", row.name), row)


class AccountCollection(_AccountResource):
    openapi = {
        "get": {"summary": "Every account: the config's (read-only) and those added here; secrets never shown",
                "parameters": [{"name": "platform", "in": "query", "required": False,
                                "schema": {"type": "string", "enum": list(SECTIONS)}}],
                "responses": {"200": "the accounts: {items: [...]}"}},
        "post": {"summary": "Add an account (its secrets are sealed); it works at once, in every process",
                 "body": AccountCreate, "example": EXAMPLE_CREATE,
                 "responses": {"201": "added", "409": "the code is taken (or is a config account's)"}},
    }

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        platform = req.get_param("platform")
        if platform is not None and platform not in SECTIONS:
            message = f"platform must be one of {', '.join(SECTIONS)}"
            raise unprocessable(message, [{"field": "platform", "message": message, "type": "enum"}])
        items = [account_view(a) for a in self.accounts.configured.values() if platform in (None, a.platform)]
        with self.database.session() as session:
            query = select(StoredAccount).order_by(StoredAccount.platform, StoredAccount.code)
            if platform is not None:
                query = query.where(StoredAccount.platform == platform)
            items += [self._view(row) for row in session.scalars(query)
                      if (row.platform, row.code) not in self.accounts.configured]
        resp.media = {"items": items}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = read_model(req, AccountCreate)
        self._refuse_config(body.platform, body.code)
        values = _fields_of(body.platform, body)
        _validated(body.platform, values)
        row = StoredAccount(platform=body.platform, code=body.code, name=body.name)
        _store(row, values, self.box)
        try:
            with self.database.session() as session:
                session.add(row)
                session.flush()
                view = self._view(row)
        except IntegrityError as exc:
            raise ApiError(falcon.HTTP_409, f"a {body.platform} account with code '{body.code}' exists",
                           code="conflict") from exc
        self.accounts.changed()
        resp.media = view
        resp.status = falcon.HTTP_201


class AccountItem(_AccountResource):
    openapi = {
        "get": {"summary": "One account (secrets never shown, only whether each is set)",
                "responses": {"200": "the account"}},
        "patch": {"summary": "Change an account added here; omitted fields stay, null removes an optional one",
                  "body": AccountUpdate, "example": {"name": "销售号 / Sales", "appSecret": "<new AppSecret>"},
                  "responses": {"200": "changed", "409": "a config account: change the config file"}},
        "delete": {"summary": "Remove an account added here", "responses": {
            "204": "removed", "409": "a config account: change the config file"}},
    }

    def _row(self, session: Any, platform: str, code: str) -> StoredAccount:
        row = session.scalars(select(StoredAccount).where(StoredAccount.platform == platform,
                                                          StoredAccount.code == code)).one_or_none()
        if row is None:
            raise ApiError(falcon.HTTP_404, f"no {platform} account has the code '{code}'", code="not_found")
        return row

    def on_get(self, req: falcon.Request, resp: falcon.Response, platform: str, code: str) -> None:
        configured = self.accounts.configured.get((platform, code))
        if configured is not None:
            resp.media = account_view(configured)
            return
        with self.database.session() as session:
            resp.media = self._view(self._row(session, platform, code))

    def on_patch(self, req: falcon.Request, resp: falcon.Response, platform: str, code: str) -> None:
        body = read_model(req, AccountUpdate)
        self._refuse_config(platform, code)
        box = self.box
        with self.database.session() as session:
            row = self._row(session, platform, code)
            try:
                values = {**row.settings, **row.open_secrets(box)}
            except SecretUnreadable:
                values = dict(row.settings)  # the secrets must be entered again: the body gives them
            values.update(_fields_of(platform, body))
            _validated(platform, values)
            if "name" in body.model_fields_set:
                row.name = body.name
            _store(row, values, box)
            session.flush()
            view = self._view(row)
        self.accounts.changed()
        resp.media = view

    def on_delete(self, req: falcon.Request, resp: falcon.Response, platform: str, code: str) -> None:
        self._refuse_config(platform, code)
        with self.database.session() as session:
            session.delete(self._row(session, platform, code))
        self.accounts.changed()
        resp.status = falcon.HTTP_204
