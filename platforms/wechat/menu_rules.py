"""The platform's rules for menu buttons (PLATFORMS.md, "Menu"), checked with every problem listed.

WeChat refuses a broken menu one fault at a time (40016..40027); an operator editing a draft wants all of them
at once, so :func:`button_problems` walks the whole menu and reports each broken rule with its path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_BUTTONS = 3
MAX_SUB_BUTTONS = 5
MAX_NAME_BYTES = 16
MAX_SUB_NAME_BYTES = 60
MAX_KEY_BYTES = 128
MAX_URL_BYTES = 1024

#: Button type -> the attributes it needs besides ``name`` (PLATFORMS.md, "Menu").
REQUIRED_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "click": ("key",),
    "view": ("url",),
    "miniprogram": ("url", "appid", "pagepath"),
    "scancode_push": ("key",),
    "scancode_waitmsg": ("key",),
    "pic_sysphoto": ("key",),
    "pic_photo_or_album": ("key",),
    "pic_weixin": ("key",),
    "location_select": ("key",),
    "media_id": ("media_id",),
    "view_limited": ("media_id",),
    "article_id": ("article_id",),
    "article_view_limited": ("article_id",),
}
BUTTON_TYPES = frozenset(REQUIRED_ATTRIBUTES)
#: Every attribute a button may carry.
ATTRIBUTES = frozenset({"type", "name", "key", "url", "media_id", "article_id", "appid", "pagepath", "sub_button"})
#: Byte limits of attributes wherever they appear.
BYTE_LIMITS = {"key": MAX_KEY_BYTES, "url": MAX_URL_BYTES}


@dataclass(frozen=True)
class ButtonProblem:
    """One broken rule: ``field`` is a dotted path below the button list (``1.sub_button.0.key``)."""

    field: str
    message: str


class MenuInvalid(ValueError):
    """A menu breaks the platform's rules; ``problems`` lists every one of them."""

    def __init__(self, problems: list[ButtonProblem]) -> None:
        super().__init__("; ".join(f"{p.field or 'button'}: {p.message}" for p in problems))
        self.problems = problems


def button_problems(buttons: Any) -> list[ButtonProblem]:
    """Every way ``buttons`` break the documented rules (the platform's 40016..40027), in order; [] when none.

    At most 3 top-level buttons with names of at most 16 bytes; a top-level button either has a type or
    1..5 sub-buttons (names at most 60 bytes, no deeper nesting); each type has the attributes it needs
    (:data:`REQUIRED_ATTRIBUTES`); keys at most 128 bytes, urls at most 1024.
    """
    if not isinstance(buttons, list):
        return [ButtonProblem("", "a menu is a list of buttons")]
    problems: list[ButtonProblem] = []
    if not 1 <= len(buttons) <= MAX_BUTTONS:
        problems.append(ButtonProblem("", f"a menu has 1 to {MAX_BUTTONS} top-level buttons, not {len(buttons)}"))
    for i, button in enumerate(buttons):
        if not isinstance(button, dict):
            problems.append(ButtonProblem(str(i), "a button is an object"))
            continue
        subs = button.get("sub_button")
        if subs is not None and not isinstance(subs, list):
            problems.append(ButtonProblem(f"{i}.sub_button", "sub_button is a list of buttons"))
            subs = None
        if subs:
            problems += _attribute_problems(button, str(i), MAX_NAME_BYTES, parent=True)
            if len(subs) > MAX_SUB_BUTTONS:
                problems.append(ButtonProblem(f"{i}.sub_button",
                                              f"at most {MAX_SUB_BUTTONS} sub-buttons, not {len(subs)}"))
            for j, sub in enumerate(subs):
                where = f"{i}.sub_button.{j}"
                if not isinstance(sub, dict):
                    problems.append(ButtonProblem(where, "a button is an object"))
                    continue
                if sub.get("sub_button"):
                    problems.append(ButtonProblem(f"{where}.sub_button", "sub-buttons cannot have sub-buttons"))
                problems += _attribute_problems(sub, where, MAX_SUB_NAME_BYTES, parent=False)
        else:
            problems += _attribute_problems(button, str(i), MAX_NAME_BYTES, parent=False)
    return problems


def validate_buttons(buttons: Any) -> None:
    """Raise :class:`MenuInvalid` (a ValueError) listing every problem of ``buttons``.

    Not called by :meth:`Menu.create`: the platform stays the judge; this is for early, readable errors.
    """
    problems = button_problems(buttons)
    if problems:
        raise MenuInvalid(problems)


def _size(value: Any) -> int:
    return len(value.encode()) if isinstance(value, str) else 0


def _attribute_problems(button: dict[str, Any], where: str, max_name: int, parent: bool) -> list[ButtonProblem]:
    def at(name: str) -> str:
        return f"{where}.{name}"

    problems = [ButtonProblem(at(name), "not a button attribute") for name in button if name not in ATTRIBUTES]
    name = button.get("name")
    if not isinstance(name, str) or not name:
        problems.append(ButtonProblem(at("name"), "a button needs a name"))
    elif _size(name) > max_name:
        problems.append(ButtonProblem(at("name"), f"at most {max_name} bytes (UTF-8), not {_size(name)}"))
    for attribute, value in button.items():
        if attribute in ATTRIBUTES - {"name", "sub_button"} and not isinstance(value, str):
            problems.append(ButtonProblem(at(attribute), "must be a string"))
        elif attribute in BYTE_LIMITS and _size(value) > BYTE_LIMITS[attribute]:
            limit = BYTE_LIMITS[attribute]
            problems.append(ButtonProblem(at(attribute), f"at most {limit} bytes (UTF-8), not {_size(value)}"))
    if parent:
        return problems  # a button with sub-buttons only opens them: its type and attributes are not used
    kind = button.get("type")
    if kind is None:
        problems.append(ButtonProblem(at("type"), "a button without sub-buttons needs a type"))
    elif not isinstance(kind, str) or kind not in BUTTON_TYPES:  # a list or object is not hashable
        problems.append(ButtonProblem(at("type"), f"unknown type {kind!r}; one of {', '.join(REQUIRED_ATTRIBUTES)}"))
    else:
        for attribute in REQUIRED_ATTRIBUTES[kind]:
            if button.get(attribute) in (None, ""):
                problems.append(ButtonProblem(at(attribute), f"a {kind} button needs {attribute}"))
    return problems
