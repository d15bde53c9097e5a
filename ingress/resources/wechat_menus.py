"""``/api/v1/wechat/menus``: menu drafts, publishing them, importing and clearing the live menu (admin scope).

Buttons are the platform's own JSON (``type``, ``name``, ``key``, ``url``, ``media_id``, ``article_id``,
``appid``, ``pagepath``, ``sub_button``), checked against every rule of PLATFORMS.md before a draft is saved
and again before it is published: one 422 lists every problem. The published row is the live menu, so it is
not edited in place: save a draft and publish it.
"""

from __future__ import annotations

from typing import Any

import falcon
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select

from core import job_kinds
from core.accounts import Accounts
from core.tasks import Tasks
from ingress.bodies import read_json
from ingress.errors import ApiError, unprocessable, validation_details
from ingress.platform_gate import row_account
from ingress.resources.accounts import ACCOUNT_PARAMETER, query_account
from ingress.resources.jobs import JOB_ACCEPTED, enqueue_job, job_accepted
from models import Database, Scope
from models.base import utcnow
from models.jobs import create_job
from models.wechat.menus import WeChatMenu, diff_buttons, menu_view, published_menu
from platforms.wechat import button_problems

#: A draft as the API takes it: the platform's button JSON under ``buttons``.
MENU_EXAMPLE = {"name": "spring", "buttons": [
    {"type": "click", "name": "今日歌曲", "key": "V1001_TODAY_MUSIC"},
    {"name": "菜单", "sub_button": [{"type": "view", "name": "搜索", "url": "https://www.example.com/"}]}]}


class MenuCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    #: The platform's button list; checked by :func:`platforms.wechat.button_problems`.
    buttons: Any
    remark: str | None = Field(default=None, max_length=2000)


class MenuUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=100)
    buttons: Any = None
    remark: str | None = Field(default=None, max_length=2000)


class ImportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: The new row's name (default: "Imported <time>").
    name: str | None = Field(default=None, min_length=1, max_length=100)


def button_details(buttons: Any) -> list[dict[str, str]]:
    """Every problem of ``buttons`` as error details (``{"field": "buttons.0.key", "message", "type"}``)."""
    return [{"field": f"buttons.{p.field}" if p.field else "buttons", "message": p.message, "type": "value_error"}
            for p in button_problems(buttons)]


def _read_menu(req: falcon.Request, model: type[BaseModel], max_body: int) -> Any:
    """The body as ``model``, its buttons checked too; one 422 with every problem otherwise."""
    data = read_json(req, max_body)
    problems: list[dict[str, Any]] = []
    body = None
    try:
        body = model.model_validate(data)
    except ValidationError as exc:
        problems += validation_details(exc)
    if isinstance(data, dict) and "buttons" in data:
        problems += button_details(data["buttons"])
    if problems or body is None:
        raise unprocessable("the menu is not valid", problems)
    return body


def _get(session: Any, menu_id: int) -> WeChatMenu:
    menu = session.get(WeChatMenu, menu_id)
    if menu is None:
        raise ApiError(falcon.HTTP_404, f"no menu {menu_id}", code="not_found")
    return menu


def _draft(session: Any, menu_id: int, action: str) -> WeChatMenu:
    menu = _get(session, menu_id)
    if menu.published:
        raise ApiError(falcon.HTTP_409, f"menu {menu_id} is the live menu and is not {action} in place; save a draft "
                                        "and publish it (or clear the live menu)", code="conflict")
    return menu


class MenuCollection:
    scope = Scope.ADMIN
    openapi = {"get": {"summary": "List an account's menus (drafts and the published one)",
                       "parameters": [ACCOUNT_PARAMETER]},
               "post": {"summary": "Save a menu draft (buttons checked against every platform rule)",
                        "body": MenuCreate, "example": MENU_EXAMPLE, "parameters": [ACCOUNT_PARAMETER],
                        "responses": {"201": "saved", "422": "every problem of the menu"}}}

    def __init__(self, database: Database, max_body: int, accounts: Accounts) -> None:
        self.database = database
        self.max_body = max_body
        self.accounts = accounts

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        account = query_account(req, self.accounts)
        with self.database.session() as session:
            menus = session.scalars(select(WeChatMenu).where(WeChatMenu.account == account).order_by(WeChatMenu.id))
            resp.media = {"items": [menu_view(m) for m in menus]}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        account = query_account(req, self.accounts)
        body = _read_menu(req, MenuCreate, self.max_body)
        with self.database.session() as session:
            menu = WeChatMenu(name=body.name, buttons=body.buttons, remark=body.remark, published=False,
                              account=account)
            session.add(menu)
            session.flush()
            resp.media = menu_view(menu)
        resp.status = falcon.HTTP_201


class MenuItem:
    scope = Scope.ADMIN
    openapi = {"get": {"summary": "One menu"},
               "put": {"summary": "Replace a draft", "body": MenuCreate, "example": MENU_EXAMPLE,
                       "responses": {"200": "saved", "409": "the published menu", "422": "every problem"}},
               "patch": {"summary": "Change a draft; omitted fields stay", "body": MenuUpdate,
                         "example": {"remark": "春季活动"},
                         "responses": {"200": "saved", "409": "the published menu", "422": "every problem"}},
               "delete": {"summary": "Delete a draft", "responses": {"204": "deleted", "409": "the published menu"}}}

    def __init__(self, database: Database, max_body: int) -> None:
        self.database = database
        self.max_body = max_body

    def on_get(self, req: falcon.Request, resp: falcon.Response, menu_id: int) -> None:
        with self.database.session() as session:
            resp.media = menu_view(_get(session, menu_id))

    def on_put(self, req: falcon.Request, resp: falcon.Response, menu_id: int) -> None:
        self._change(req, resp, menu_id, MenuCreate, replace=True)

    def on_patch(self, req: falcon.Request, resp: falcon.Response, menu_id: int) -> None:
        self._change(req, resp, menu_id, MenuUpdate, replace=False)

    def _change(self, req: falcon.Request, resp: falcon.Response, menu_id: int, model: type[BaseModel],
                replace: bool) -> None:
        body = _read_menu(req, model, self.max_body)
        if "name" in body.model_fields_set and body.name is None:
            raise unprocessable("the menu is not valid", [{"field": "name", "message": "cannot be null",
                                                          "type": "value_error"}])
        with self.database.session() as session:
            menu = _draft(session, menu_id, "edited")
            for name in type(body).model_fields if replace else body.model_fields_set:
                setattr(menu, name, getattr(body, name))
            menu.updated_at = utcnow()
            session.flush()
            resp.media = menu_view(menu)

    def on_delete(self, req: falcon.Request, resp: falcon.Response, menu_id: int) -> None:
        with self.database.session() as session:
            session.delete(_draft(session, menu_id, "deleted"))
        resp.status = falcon.HTTP_204


class MenuPublish:
    scope = Scope.ADMIN
    needs_platform = {"POST": "wechat"}
    openapi = {"post": {"summary": "Publish a draft (a job: menu/create; on success it is the only published row)",
                        "responses": {"202": ("queued", JOB_ACCEPTED), "422": "every problem of the menu"}}}

    def __init__(self, database: Database, tasks: Tasks) -> None:
        self.database = database
        self.tasks = tasks

    def account_of(self, menu_id: int) -> str | None:
        return row_account(self.database, WeChatMenu, menu_id)

    def on_post(self, req: falcon.Request, resp: falcon.Response, menu_id: int) -> None:
        with self.database.session() as session:
            menu = _get(session, menu_id)
            problems = button_details(menu.buttons)
            if problems:
                raise unprocessable(f"menu {menu_id} cannot be published", problems)
            job_id = create_job(session, job_kinds.MENU_PUBLISH, {"menuId": menu_id}, account=menu.account).id
        enqueue_job(self.database, self.tasks, job_id)
        job_accepted(resp, job_id, menuId=menu_id)


class MenuDiff:
    scope = Scope.ADMIN
    openapi = {"get": {"summary": "What publishing this menu would change, against the published row"}}

    def __init__(self, database: Database) -> None:
        self.database = database

    def on_get(self, req: falcon.Request, resp: falcon.Response, menu_id: int) -> None:
        with self.database.session() as session:
            menu = _get(session, menu_id)
            live = published_menu(session, menu.account)
            changes = diff_buttons(live.buttons if live else [], menu.buttons)
            resp.media = {"menuId": menu.id, "publishedId": live.id if live else None, "same": not changes,
                          "changes": changes}


class PublishedMenu:
    scope = Scope.ADMIN
    openapi = {"get": {"summary": "An account's published menu (what is live), 404 when none is",
                       "parameters": [ACCOUNT_PARAMETER]}}

    def __init__(self, database: Database, accounts: Accounts) -> None:
        self.database = database
        self.accounts = accounts

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        account = query_account(req, self.accounts)
        with self.database.session() as session:
            menu = published_menu(session, account)
            if menu is None:
                raise ApiError(falcon.HTTP_404, "no menu is published", code="not_found")
            resp.media = menu_view(menu)


class MenuImport:
    scope = Scope.ADMIN
    needs_platform = {"POST": "wechat"}
    openapi = {"post": {"summary": "Import the live menu (a job: menu/get, or for a menu made in the "
                                   "console get_current_selfmenu_info, converted; see result.review) as a new "
                                   "published row; body optional: {name}", "body": ImportRequest,
                        "body_required": False, "example": {"name": "imported"}, "parameters": [ACCOUNT_PARAMETER],
                        "responses": {"202": ("queued", JOB_ACCEPTED)}}}

    def __init__(self, database: Database, max_body: int, tasks: Tasks, accounts: Accounts) -> None:
        self.database = database
        self.tasks = tasks
        self.max_body = max_body
        self.accounts = accounts

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        account = query_account(req, self.accounts)
        params: dict[str, Any] = {}
        if req.content_length:
            data = read_json(req, self.max_body)
            try:
                body = ImportRequest.model_validate(data if data is not None else {})
            except ValidationError as exc:
                raise unprocessable("the request is not valid", validation_details(exc)) from exc
            if body.name:
                params["name"] = body.name
        with self.database.session() as session:
            job_id = create_job(session, job_kinds.MENU_IMPORT, params, account=account).id
        enqueue_job(self.database, self.tasks, job_id)
        job_accepted(resp, job_id)


class MenuClear:
    scope = Scope.ADMIN
    needs_platform = {"POST": "wechat"}
    openapi = {"post": {"summary": "Clear an account's live menu (a job: menu/delete); no row of it stays published",
                        "parameters": [ACCOUNT_PARAMETER], "responses": {"202": ("queued", JOB_ACCEPTED)}}}

    def __init__(self, database: Database, tasks: Tasks, accounts: Accounts) -> None:
        self.database = database
        self.tasks = tasks
        self.accounts = accounts

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        account = query_account(req, self.accounts)
        with self.database.session() as session:
            job_id = create_job(session, job_kinds.MENU_CLEAR, account=account).id
        enqueue_job(self.database, self.tasks, job_id)
        job_accepted(resp, job_id)
