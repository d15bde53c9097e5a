"""WeChat menu-rule cases shared by the server's rule tests and the admin page's copy of the rules."""

from __future__ import annotations

from platforms.wechat.menu_rules import REQUIRED_ATTRIBUTES

VALUES = {"key": "K1", "url": "https://example.com/", "appid": "wxapp", "pagepath": "pages/index",
          "media_id": "M1", "article_id": "A1"}


def leaf(kind: str, name: str = "b", **extra: str) -> dict:
    return {"type": kind, "name": name, **{a: VALUES[a] for a in REQUIRED_ATTRIBUTES[kind]}, **extra}


#: ``(buttons, the problem fields button_problems must name)``: each PLATFORMS.md limit, on both sides of it.
LIMIT_CASES: list[tuple[object, list[str]]] = [
    ([leaf("click", "x" * 16)], []),
    ([leaf("click", "x" * 17)], ["0.name"]),
    ([leaf("click", "一二三四五")], []),                       # 15 bytes
    ([leaf("click", "一二三四五六")], ["0.name"]),             # 18 bytes
    ([{"name": "x" * 17, "sub_button": [leaf("click")]}], ["0.name"]),
    ([{"name": "m", "sub_button": [leaf("click", "x" * 60)]}], []),
    ([{"name": "m", "sub_button": [leaf("click", "x" * 61)]}], ["0.sub_button.0.name"]),
    ([leaf("click", key="k" * 128)], []),
    ([leaf("click", key="k" * 129)], ["0.key"]),
    ([leaf("view", url="u" * 1024)], []),
    ([leaf("view", url="u" * 1025)], ["0.url"]),
    ([leaf("click")] * 3, []),
    ([leaf("click")] * 4, [""]),
    ([], [""]),
    ([{"name": "m", "sub_button": [leaf("click")] * 5}], []),
    ([{"name": "m", "sub_button": [leaf("click")] * 6}], ["0.sub_button"]),
    ([{"name": "m", "sub_button": []}], ["0.type"]),
    ([{"name": "", "type": "click", "key": "k"}], ["0.name"]),
    ([{"type": "click", "key": "k"}], ["0.name"]),
    ([leaf("click", colour="red")], ["0.colour"]),
    ([leaf("click", key=7)], ["0.key"]),
    (["click"], ["0"]),
    ([{"type": ["click"], "name": "b"}], ["0.type", "0.type"]),
    ({"button": []}, [""]),
    ([{"name": "m", "sub_button": "x"}], ["0.sub_button", "0.type"]),
    ([{"name": "m", "sub_button": [{**leaf("click"), "sub_button": [leaf("click")]}]}], ["0.sub_button.0.sub_button"]),
]
