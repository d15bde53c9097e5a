"""``get_current_selfmenu_info`` answers turned into the ``menu/get`` shape.

``menu/get`` only knows menus set through the API: a menu made in the mp.weixin.qq.com console answers 46003
("no menu") there. ``get_current_selfmenu_info`` reads whichever menu is in effect, in another shape:
sub-buttons are wrapped in ``{"list": [...]}``, and console buttons carry a ``value`` whose meaning depends on
their type (WeChat's documentation of the endpoint):

* ``text``: the text itself; ``img``/``voice``: a *temporary* media id (valid 3 days, unusable in a menu);
* ``video``: a download link; ``news``: a permanent news material's media id (and ``news_info``);
* ``view``: the link in ``url``; API-made buttons keep their ``key``/``url``/``appid``/``pagepath``.

So ``view``/``news`` and the API types convert as they are (``news`` becomes ``media_id``, ``video`` a
``view`` of its link), while ``text``, ``img``, ``voice`` and unknown types have no API equivalent: each
becomes a ``click`` button with the key ``SELFMENU_<TYPE>_<n>`` and is listed in :attr:`ConvertedMenu.review`
with its original value, for the operator to wire up (a click reply, a permanent material) before publishing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Button types set through the API, with the fields each carries over.
API_FIELDS: dict[str, tuple[str, ...]] = {
    **{kind: ("key",) for kind in ("click", "scancode_push", "scancode_waitmsg", "pic_sysphoto",
                                   "pic_photo_or_album", "pic_weixin", "location_select")},
    "view": ("url",), "miniprogram": ("url", "appid", "pagepath"),
    "media_id": ("media_id",), "view_limited": ("media_id",),
    "article_id": ("article_id",), "article_view_limited": ("article_id",),
}


@dataclass
class ConvertedMenu:
    """The menu in the ``menu/get`` shape (``{"menu": {"button": [...]}}``; None when no menu is in effect) and
    the buttons that need an operator's look (``{path, name, type, value, becameKey?}``)."""

    live: dict[str, Any] | None
    review: list[dict[str, Any]] = field(default_factory=list)


def selfmenu_as_menu(answer: dict[str, Any]) -> ConvertedMenu:
    """Convert a ``get_current_selfmenu_info`` answer; a closed menu (``is_menu_open`` 0) or none is None."""
    info = answer.get("selfmenu_info") if isinstance(answer.get("selfmenu_info"), dict) else {}
    buttons = info.get("button") if isinstance(info.get("button"), list) else []
    if not answer.get("is_menu_open") or not buttons:
        return ConvertedMenu(None)
    review: list[dict[str, Any]] = []
    converted = [_button(b, str(i), review) for i, b in enumerate(buttons) if isinstance(b, dict)]
    return ConvertedMenu({"menu": {"button": converted}}, review)


def _button(button: dict[str, Any], path: str, review: list[dict[str, Any]]) -> dict[str, Any]:
    name = str(button.get("name") or "")
    subs = button.get("sub_button")
    items = subs.get("list") if isinstance(subs, dict) else subs
    if isinstance(items, list) and items:
        return {"name": name, "sub_button": [_button(b, f"{path}.{i}", review)
                                             for i, b in enumerate(items) if isinstance(b, dict)]}
    kind = str(button.get("type") or "")
    value = button.get("value")
    if kind in API_FIELDS:
        out: dict[str, Any] = {"type": kind, "name": name}
        for key in API_FIELDS[kind]:
            if button.get(key) is not None:
                out[key] = button[key]
        if kind in ("media_id", "view_limited") and "media_id" not in out and value:
            out["media_id"] = value
        return out
    if kind == "news" and value:
        return {"type": "media_id", "name": name, "media_id": value}
    if kind == "video" and isinstance(value, str) and value.startswith(("http://", "https://")):
        review.append({"path": path, "name": name, "type": kind, "value": value, "becameType": "view"})
        return {"type": "view", "name": name, "url": value}
    key = f"SELFMENU_{(kind or 'UNKNOWN').upper()}_{path.replace('.', '_')}"[:128]
    review.append({"path": path, "name": name, "type": kind, "value": value, "becameKey": key})
    return {"type": "click", "name": name, "key": key}
