"""Errcode answers, shaped the way each platform shapes them.

All three platforms answer HTTP 200 with ``{"errcode": N, "errmsg": "..."}`` for almost every failure, but the
decoration differs: WeChat appends `` rid: ...`` to the message, WeCom appends a ``hint`` with the caller's IP and
a help link, DingTalk's ``/topapi`` adds a ``request_id`` field. Clients must judge success by errcode alone, so
the sandbox reproduces the decoration to keep anyone from parsing errmsg.
"""

from __future__ import annotations

import secrets
import time
from typing import Any, Literal

Platform = Literal["wechat", "wecom", "dingtalk"]

#: The platform prefixes the sandbox serves, in routing order.
PLATFORMS: tuple[Platform, ...] = ("wechat", "wecom", "dingtalk")


class ErrcodeAnswer(Exception):
    """Raised by a handler to answer with an errcode body (HTTP 200, like the platforms): the platform's side of
    what a client meets as :class:`platforms.errors.PlatformError`.

    :param errcode: the platform's code.
    :param errmsg: the message before platform decoration.
    :param extra: further fields some answers carry.
    """

    def __init__(self, errcode: int, errmsg: str, **extra: Any) -> None:
        super().__init__(f"{errcode} {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg
        self.extra = extra


class CodeAnswer(Exception):
    """Raised by a DingTalk v1.0 handler to answer a failure its way: HTTP ``status`` with
    ``{"code", "message", "requestid"}`` (string codes such as ``InvalidAuthentication``)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message


def code_body(error: CodeAnswer) -> dict[str, Any]:
    """The JSON body of a v1.0 failure; ``requestid`` is spelled as the platform spells it."""
    return {"code": error.code, "message": error.message, "requestid": request_id().upper()}


def request_id() -> str:
    """A DingTalk-style request id (12 lowercase alphanumerics)."""
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


def decorate(platform: str, errmsg: str, errcode: int, remote_addr: str = "127.0.0.1") -> str:
    """``errmsg`` as the platform would really print it."""
    if platform == "wechat":
        rid = "-".join(secrets.token_hex(4) for _ in range(3))
        return f"{errmsg} rid: {rid}"
    if platform == "wecom":
        hint = f"{int(time.time())}_{secrets.randbelow(100)}_{secrets.token_hex(16)}"
        return (
            f"{errmsg}, hint: [{hint}], from ip: {remote_addr}, "
            f"more info at https://open.work.weixin.qq.com/devtool/query?e={errcode}"
        )
    return errmsg


def error_body(platform: str, error: ErrcodeAnswer, remote_addr: str = "127.0.0.1", *,
               topapi: bool = True) -> dict[str, Any]:
    """The JSON body answering ``error`` on ``platform`` (``topapi=False`` for DingTalk robots)."""
    body: dict[str, Any] = {
        "errcode": error.errcode,
        "errmsg": decorate(platform, error.errmsg, error.errcode, remote_addr),
    }
    body.update(error.extra)
    if platform == "dingtalk" and topapi:
        body["request_id"] = request_id()
    return body


#: What each platform answers when a body that must be JSON is not.
INVALID_JSON: dict[str, tuple[int, str]] = {
    "wechat": (47001, "data format error"),
    "wecom": (47001, "data format error"),
    "dingtalk": (40035, "缺少参数 json"),
}

#: Wrong HTTP method; WeChat, WeCom and DingTalk share these codes.
REQUIRE_GET = (43001, "require GET method")
REQUIRE_POST = (43002, "require POST method")

#: The answer when the caller's IP is not on the platform's whitelist (``ip_whitelist_fail``).
IP_NOT_WHITELISTED: dict[str, tuple[int, str]] = {
    "wechat": (40164, "invalid ip {ip} ipv6 ::ffff:{ip}, not in whitelist"),
    "wecom": (60020, "not allow to access from your ip"),
    "dingtalk": (60020, "访问ip不在白名单之中,请求ip:{ip}"),
}


def ip_error(platform: str, ip: str) -> ErrcodeAnswer:
    code, message = IP_NOT_WHITELISTED[platform]
    return ErrcodeAnswer(code, message.format(ip=ip))
