"""The one falcon resource every platform endpoint is served by.

It runs the steps every real endpoint shares, in the platform's order: injected faults (the network and the
platform's front end fail before anything is looked at), the HTTP method (43001/43002), the IP whitelist,
then the handler under the state lock. A handler is a plain function ``(state, call) -> dict | Answer`` that
raises :class:`~sandbox.errors.ErrcodeAnswer` to answer with an errcode.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import falcon

from sandbox.call import Call, query_dict
from sandbox.errors import REQUIRE_GET, REQUIRE_POST, CodeAnswer, ErrcodeAnswer, code_body, error_body, ip_error
from sandbox.faults import FaultRule
from sandbox.state import SandboxState

_GATEWAY_PAGE = (
    "<html>\r\n<head><title>{status}</title></head>\r\n<body>\r\n"
    "<center><h1>{status}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)

#: What a gateway in front of the platform answers (HTTP 200) when it throttles or wants a login.
_THROTTLE_PAGE = (
    "<!DOCTYPE html>\r\n<html><head><meta charset=\"utf-8\"><title>访问被拒绝 / Access denied</title></head>\r\n"
    "<body><h1>您的访问过于频繁, 请稍后再试</h1><p>Too many requests, please try again later.</p></body></html>\r\n"
)


@dataclass(frozen=True)
class Answer:
    """A non-JSON answer (a QR code image, an error page)."""

    data: bytes
    content_type: str
    status: int = 200


Handler = Callable[[SandboxState, Call], "dict[str, Any] | Answer"]

GET = ("GET",)
POST = ("POST",)


@dataclass(frozen=True)
class Route:
    """One endpoint of a platform, relative to the platform's prefix."""

    path: str
    handler: Handler
    methods: tuple[str, ...]
    whitelist: bool = True
    topapi: bool = True
    #: DingTalk's v1.0 API: failures are HTTP 4xx ``{code, message}`` (handlers raise CodeAnswer).
    v1: bool = False


class Endpoint:
    """Serves one platform path with ``handler``.

    :param methods: the HTTP methods the real endpoint accepts.
    :param whitelist: whether the IP whitelist applies (not to robots, which have their own security).
    :param topapi: DingTalk only: errors carry a ``request_id`` (the robot endpoint's do not).
    :param v1: DingTalk's v1.0 API: the method and whitelist checks answer in its ``{code, message}`` shape.
    """

    def __init__(self, state: SandboxState, platform: str, handler: Handler, methods: tuple[str, ...],
                 *, whitelist: bool = True, topapi: bool = True, v1: bool = False) -> None:
        self.state = state
        self.platform = platform
        self.handler = handler
        self.methods = methods
        self.whitelist = whitelist
        self.topapi = topapi
        self.v1 = v1

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self._serve(req, resp)

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        self._serve(req, resp)

    def _serve(self, req: falcon.Request, resp: falcon.Response) -> None:
        call = Call(self.platform, req.method, req.path, query_dict(req), req.context.body,
                    req.content_type or "", req.remote_addr or "127.0.0.1",
                    {name.lower(): value for name, value in req.headers.items()})
        plan = self.state.faults.plan(req.path)
        if plan.delay_seconds:
            self.state.faults.hold(plan.delay_seconds)
        if plan.terminal is not None:
            self._fault(plan.terminal, call, resp)
            return
        try:
            self._answer(req, resp, call)
        finally:
            if plan.late_seconds:
                self.state.faults.hold(plan.late_seconds)

    def _answer(self, req: falcon.Request, resp: falcon.Response, call: Call) -> None:
        try:
            if req.method not in self.methods:
                if self.v1:
                    raise CodeAnswer(405, "MethodNotAllowed", f"{req.method} is not allowed")
                raise ErrcodeAnswer(*(REQUIRE_GET if "GET" in self.methods else REQUIRE_POST))
            with self.state.lock:
                if self.whitelist and self.state.ip_blocked(self.platform):
                    if self.v1:
                        raise CodeAnswer(403, "Forbidden.AccessDenied.IpNotInWhiteList",
                                         f"访问ip不在白名单之中,请求ip:{call.remote_addr}")
                    raise ip_error(self.platform, call.remote_addr)
                result = self.handler(self.state, call)
        except CodeAnswer as error:
            resp.status = error.status
            resp.media = code_body(error)
            return
        except ErrcodeAnswer as error:
            resp.media = error_body(self.platform, error, call.remote_addr, topapi=self.topapi)
            return
        if isinstance(result, Answer):
            resp.status = result.status
            resp.data = result.data
            resp.content_type = result.content_type
        else:
            resp.media = result

    def _fault(self, rule: FaultRule, call: Call, resp: falcon.Response) -> None:
        if rule.kind == "timeout":
            self.state.faults.hold(rule.hold_seconds)
            resp.status = 504
            resp.content_type = falcon.MEDIA_HTML
            resp.text = _GATEWAY_PAGE.format(status="504 Gateway Time-out")
        elif rule.kind == "flow_control":
            resp.media = {"status": 1111, "wait": rule.wait, "source": "x5", "punish": "deny",
                          "uuid": f"sandbox-{rule.id}-{rule.hits}"}
        elif rule.kind == "page":
            resp.content_type = falcon.MEDIA_HTML
            resp.text = _THROTTLE_PAGE
        elif rule.kind == "body":
            resp.media = rule.body
        elif rule.kind == "http":
            resp.status = rule.status
            resp.content_type = falcon.MEDIA_HTML
            resp.text = _GATEWAY_PAGE.format(status=falcon.code_to_http_status(rule.status))
        else:
            error = ErrcodeAnswer(rule.errcode, rule.errmsg)
            resp.media = error_body(self.platform, error, call.remote_addr, topapi=self.topapi)
