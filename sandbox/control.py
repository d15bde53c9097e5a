"""The control API under ``/_sandbox/``: how tests, benchmarks and the demo steer the fake platforms.

JSON in, JSON out; a bad request answers 400 with falcon's ``{"title", "description"}``.
"""

from __future__ import annotations

import copy
from typing import Any

import falcon

from sandbox.robots import Robot
from sandbox.state import SandboxState
from sandbox.wechat.applet import openid_for
from sandbox.wechat.custom import note_interaction
from sandbox.wechat.media import add_news_material
from sandbox.wechat.qrcode import live_ticket
from sandbox.wechat.seeds import CONSOLE_MENU
from sandbox.wechat.store import JsCode


def _body(req: falcon.Request) -> dict[str, Any]:
    body = req.get_media(default_when_empty={})
    if not isinstance(body, dict):
        raise falcon.HTTPBadRequest(description="a JSON object is expected")
    return body


class _Resource:
    def __init__(self, state: SandboxState) -> None:
        self.state = state


class Health(_Resource):
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {"ok": True, "now": self.state.now()}


class Config(_Resource):
    """GET the options; POST a partial update (``{"robot_rate_limit": null}``)."""

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = self.state.options.model_dump()

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        try:
            options = self.state.configure(_body(req))
        except ValueError as exc:
            raise falcon.HTTPBadRequest(description=str(exc)) from exc
        resp.media = options.model_dump()


class Reset(_Resource):
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.state.reset()
        resp.media = {"ok": True}


class ClockResource(_Resource):
    """POST ``{"advance": seconds}`` moves the sandbox's time forward (tokens expire, penalties end)."""

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {"now": self.state.now()}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        advance = _body(req).get("advance")
        if not isinstance(advance, int | float) or advance < 0:
            raise falcon.HTTPBadRequest(description="advance must be a non-negative number of seconds")
        resp.media = {"now": self.state.clock.advance(float(advance))}


class JournalResource(_Resource):
    """GET ``?path=<substring>&platform=&since=<seq>``; DELETE empties it."""

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        since = req.get_param_as_int("since")
        entries = self.state.journal.entries(req.get_param("path"), req.get_param("platform"), since)
        resp.media = {"entries": entries}

    def on_delete(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.state.journal.clear()
        resp.media = {"ok": True}


class Faults(_Resource):
    """GET the rules; POST one rule (see :mod:`sandbox.faults`); DELETE all of them."""

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {"faults": [r.describe() for r in self.state.faults.rules()]}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        try:
            rule = self.state.faults.add(_body(req))
        except (TypeError, ValueError) as exc:
            raise falcon.HTTPBadRequest(description=str(exc)) from exc
        resp.status = falcon.HTTP_201
        resp.media = rule.describe()

    def on_delete(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.state.faults.clear()
        resp.media = {"ok": True}


class Fault(_Resource):
    def on_delete(self, req: falcon.Request, resp: falcon.Response, rule_id: int) -> None:
        if not self.state.faults.remove(rule_id):
            raise falcon.HTTPNotFound()
        resp.media = {"ok": True}


class Robots(_Resource):
    """POST ``{"platform": "dingtalk"|"wecom", "token"|"key": ..., "secret"?, "keywords"?, "name"?}``."""

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        with self.state.lock:
            resp.media = {"robots": [r.describe() for r in self.state.robots.all()]}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = _body(req)
        keywords = body.get("keywords") or []
        if not isinstance(keywords, list):
            raise falcon.HTTPBadRequest(description="keywords must be a list")
        robot = Robot(str(body.get("platform", "")), str(body.get("token") or body.get("key") or ""),
                      body.get("secret") or None, tuple(map(str, keywords)), body.get("name"))
        try:
            with self.state.lock:
                self.state.robots.add(robot)
        except ValueError as exc:
            raise falcon.HTTPBadRequest(description=str(exc)) from exc
        resp.status = falcon.HTTP_201
        resp.media = robot.describe()


class RobotItem(_Resource):
    def on_delete(self, req: falcon.Request, resp: falcon.Response, platform: str, token: str) -> None:
        with self.state.lock:
            if not self.state.robots.remove(platform, token):
                raise falcon.HTTPNotFound()
        resp.media = {"ok": True}


class Tokens(_Resource):
    """DELETE ``?platform=`` revokes every access token issued (the next use answers "invalid")."""

    def on_delete(self, req: falcon.Request, resp: falcon.Response) -> None:
        with self.state.lock:
            resp.media = {"revoked": self.state.tokens.revoke(req.get_param("platform"))}


class DeliveriesResource(_Resource):
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        with self.state.lock:
            items = self.state.deliveries.list(req.get_param("platform"), req.get_param("channel"))
        resp.media = {"deliveries": items}


class PushesResource(_Resource):
    """GET: the callbacks the sandbox posted by itself (MASSSENDJOBFINISH), with each attempt's answer."""

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {"pushes": self.state.pushes.describe()}


class Media(_Resource):
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        with self.state.lock:
            resp.media = {"media": [m.describe() for m in self.state.media.all(req.get_param("platform"))]}


class QrCodes(_Resource):
    """GET ``?scene=login_<key>``: the live tickets (what a phone would find by scanning the code)."""

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        scene = req.get_param("scene")
        with self.state.lock:
            tickets = [t for t in self.state.wechat.tickets.values()
                       if (scene is None or t.scene == scene) and live_ticket(self.state, t.ticket)]
            resp.media = {"qrcodes": [t.describe() for t in tickets]}


class Templates(_Resource):
    """POST a private template (as if added in the admin console): ``{title, content, ...}``."""

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = _body(req)
        if not body.get("template_id") or not body.get("content"):
            raise falcon.HTTPBadRequest(description="template_id and content are required")
        template = {"template_id": str(body["template_id"]), "title": str(body.get("title", "")),
                    "primary_industry": str(body.get("primary_industry", "IT科技")),
                    "deputy_industry": str(body.get("deputy_industry", "互联网|电子商务")),
                    "content": str(body["content"]), "example": str(body.get("example", ""))}
        with self.state.lock:
            self.state.wechat.templates[template["template_id"]] = template
        resp.status = falcon.HTTP_201
        resp.media = template


class JsCodes(_Resource):
    """POST ``{code, openid?, unionid?, errcode?}``: what a wx.login code will exchange for."""

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = _body(req)
        code = body.get("code")
        if not isinstance(code, str) or not code:
            raise falcon.HTTPBadRequest(description="code is required")
        with self.state.lock:
            expires = self.state.now() + self.state.options.jscode_lifetime_seconds
            self.state.wechat.jscodes[code] = JsCode(code, str(body.get("openid") or openid_for(code)),
                                                     body.get("unionid"), body.get("errcode"), expires)
            self.state.wechat.used_codes.discard(code)
        resp.status = falcon.HTTP_201
        resp.media = {"code": code, "expires_at": expires}


class ConsoleMenu(_Resource):
    """POST ``{button: [...]}`` (``get_current_selfmenu_info`` shape; empty: :data:`CONSOLE_MENU`) plays an
    operator publishing a menu in the mp.weixin.qq.com console: ``menu/get`` then answers 46003. DELETE: none."""

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        buttons = _body(req).get("button", CONSOLE_MENU)
        if not isinstance(buttons, list) or not all(isinstance(b, dict) for b in buttons):
            raise falcon.HTTPBadRequest(description="button must be a list of objects")
        with self.state.lock:
            self.state.wechat.menu = None
            self.state.wechat.console_menu = copy.deepcopy(buttons)
        resp.status = falcon.HTTP_201
        resp.media = {"button": buttons}

    def on_delete(self, req: falcon.Request, resp: falcon.Response) -> None:
        with self.state.lock:
            self.state.wechat.console_menu = None
        resp.media = {"ok": True}


class NewsMaterial(_Resource):
    """POST ``{news_item: [{title, content, ...}]}``: a news material as if made in the console; its media_id."""

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        articles = _body(req).get("news_item")
        if not isinstance(articles, list) or not articles or not all(isinstance(a, dict) for a in articles):
            raise falcon.HTTPBadRequest(description="news_item must be a non-empty list of objects")
        with self.state.lock:
            media_id = add_news_material(self.state, articles)
        resp.status = falcon.HTTP_201
        resp.media = {"media_id": media_id}


class Interactions(_Resource):
    """POST ``{openid, at?}``: the follower wrote to the account (now, or at ``at`` on the sandbox clock), which
    opens its 48-hour customer-service window."""

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = _body(req)
        openid, at = body.get("openid"), body.get("at")
        if not isinstance(openid, str) or not openid:
            raise falcon.HTTPBadRequest(description="openid is required")
        if at is not None and (isinstance(at, bool) or not isinstance(at, int | float)):
            raise falcon.HTTPBadRequest(description="at is a number of seconds on the sandbox clock")
        with self.state.lock:
            note_interaction(self.state, openid, at)
            resp.media = {"openid": openid, "at": self.state.wechat.interactions[openid]}


def add_control_routes(app: falcon.App, state: SandboxState, prefix: str = "/_sandbox") -> None:
    app.add_route(f"{prefix}/health", Health(state))
    app.add_route(f"{prefix}/config", Config(state))
    app.add_route(f"{prefix}/reset", Reset(state))
    app.add_route(f"{prefix}/clock", ClockResource(state))
    app.add_route(f"{prefix}/journal", JournalResource(state))
    app.add_route(f"{prefix}/faults", Faults(state))
    app.add_route(f"{prefix}/faults/{{rule_id:int}}", Fault(state))
    app.add_route(f"{prefix}/robots", Robots(state))
    app.add_route(f"{prefix}/robots/{{platform}}/{{token}}", RobotItem(state))
    app.add_route(f"{prefix}/tokens", Tokens(state))
    app.add_route(f"{prefix}/deliveries", DeliveriesResource(state))
    app.add_route(f"{prefix}/media", Media(state))
    app.add_route(f"{prefix}/pushes", PushesResource(state))
    app.add_route(f"{prefix}/wechat/qrcodes", QrCodes(state))
    app.add_route(f"{prefix}/wechat/templates", Templates(state))
    app.add_route(f"{prefix}/wechat/jscodes", JsCodes(state))
    app.add_route(f"{prefix}/wechat/console-menu", ConsoleMenu(state))
    app.add_route(f"{prefix}/wechat/news-material", NewsMaterial(state))
    app.add_route(f"{prefix}/wechat/interactions", Interactions(state))
