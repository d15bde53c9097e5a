"""The custom menu: create (with the platform's limits), get, delete, and the "current self-menu" view.

WeChat checks a menu the way it renders it: at most 3 buttons, each with at most 5 sub-buttons; names at most
16 bytes (60 for a sub-button), keys 128 bytes, urls 1024 bytes; each type needs its own fields. The codes are
the platform's: 40016 button count, 40017 button type, 40018 name length, 40019 key, 40020 url, and 40023..40027
for the same faults in a sub-button.
"""

from __future__ import annotations

import copy
from typing import Any

from sandbox.call import Call
from sandbox.errors import ErrcodeAnswer
from sandbox.state import SandboxState
from sandbox.wechat.tokens import require_token

NEEDS_KEY = {"click", "scancode_push", "scancode_waitmsg", "pic_sysphoto", "pic_photo_or_album",
             "pic_weixin", "location_select"}
NEEDS_URL = {"view", "miniprogram"}
NEEDS_MEDIA = {"media_id", "view_limited"}
NEEDS_ARTICLE = {"article_id", "article_view_limited"}
BUTTON_TYPES = NEEDS_KEY | NEEDS_URL | NEEDS_MEDIA | NEEDS_ARTICLE

#: (count, type, name, key, url) codes for top-level buttons and for sub-buttons.
_TOP = (40016, 40017, 40018, 40019, 40020)
_SUB = (40023, 40024, 40025, 40026, 40027)
_MESSAGES = ("invalid button size", "invalid button type", "invalid button name size",
             "invalid button key size", "invalid button url size")


def _fail(codes: tuple[int, ...], index: int) -> ErrcodeAnswer:
    message = _MESSAGES[index].replace("button", "sub button") if codes is _SUB else _MESSAGES[index]
    return ErrcodeAnswer(codes[index], message)


def _size(value: Any) -> int:
    return len(value.encode()) if isinstance(value, str) else 0


def _check_button(button: Any, codes: tuple[int, ...], name_limit: int) -> None:
    if not isinstance(button, dict):
        raise ErrcodeAnswer(47001, "data format error")
    if not 1 <= _size(button.get("name")) <= name_limit:
        raise _fail(codes, 2)
    kind = button.get("type")
    if kind not in BUTTON_TYPES:
        raise _fail(codes, 1)
    if kind in NEEDS_KEY and not 1 <= _size(button.get("key")) <= 128:
        raise _fail(codes, 3)
    if kind in NEEDS_URL and not 1 <= _size(button.get("url")) <= 1024:
        raise _fail(codes, 4)
    if kind == "miniprogram" and not (button.get("appid") and button.get("pagepath")):
        raise ErrcodeAnswer(40166 if not button.get("appid") else 40165,
                            "invalid weapp appid" if not button.get("appid") else "invalid weapp pagepath")
    if kind in NEEDS_MEDIA and not button.get("media_id"):
        raise ErrcodeAnswer(40007, "invalid media_id")
    if kind in NEEDS_ARTICLE and not button.get("article_id"):
        raise ErrcodeAnswer(40007, "invalid article_id")


def validate_menu(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The buttons of a valid menu, or the platform's error for the first fault."""
    buttons = body.get("button")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        raise _fail(_TOP, 0)
    for button in buttons:
        subs = button.get("sub_button") if isinstance(button, dict) else None
        if isinstance(subs, list) and subs:
            if not 1 <= _size(button.get("name")) <= 16:
                raise _fail(_TOP, 2)
            if len(subs) > 5:
                raise _fail(_SUB, 0)
            for sub in subs:
                _check_button(sub, _SUB, 60)
        else:
            _check_button(button, _TOP, 16)
    return copy.deepcopy(buttons)


def create(state: SandboxState, call: Call) -> dict[str, Any]:
    require_token(state, call)
    state.wechat.menu = validate_menu(call.json_object())
    state.wechat.console_menu = None  # the API's menu is the one in effect from now on
    return {"errcode": 0, "errmsg": "ok"}


def get(state: SandboxState, call: Call) -> dict[str, Any]:
    """Only a menu set through the API: a console-made one answers 46003 here, as on the platform."""
    require_token(state, call)
    if not state.wechat.menu:
        raise ErrcodeAnswer(46003, "menu no exist")
    return {"menu": {"button": copy.deepcopy(state.wechat.menu)}}


def delete(state: SandboxState, call: Call) -> dict[str, Any]:
    require_token(state, call)
    state.wechat.menu = None
    state.wechat.console_menu = None
    return {"errcode": 0, "errmsg": "ok"}


def _selfmenu_button(button: dict[str, Any]) -> dict[str, Any]:
    # This view wraps sub-buttons in {"list": [...]} and calls media buttons "img"/"news": another shape.
    out = {k: v for k, v in button.items() if k != "sub_button"}
    if button.get("sub_button"):
        out["sub_button"] = {"list": [_selfmenu_button(b) for b in button["sub_button"]]}
    if out.get("type") == "media_id":
        out["type"], out["value"] = "img", out.pop("media_id")
    return out


def current_selfmenu_info(state: SandboxState, call: Call) -> dict[str, Any]:
    """The menu in effect: the API's (converted to this view's shape), else the console's as it was made."""
    require_token(state, call)
    if state.wechat.menu:
        buttons = [_selfmenu_button(b) for b in state.wechat.menu]
    else:
        buttons = copy.deepcopy(state.wechat.console_menu or [])
    return {"is_menu_open": 1 if buttons else 0, "selfmenu_info": {"button": buttons}}
