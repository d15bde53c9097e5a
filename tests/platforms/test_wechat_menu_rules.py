"""``button_problems``: every PLATFORMS.md menu rule, each problem listed (none hidden behind the first), and the
sandbox refusing the same menus with the platform's codes."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from config import load_settings
from platforms.wechat import MenuInvalid, button_problems, validate_buttons
from platforms.wechat.media_rules import MB, media_problems
from platforms.wechat.menu_rules import REQUIRED_ATTRIBUTES
from tests.menu_rule_cases import LIMIT_CASES, leaf


def fields(buttons) -> list[str]:
    return [p.field for p in button_problems(buttons)]


def test_there_are_thirteen_button_types():
    assert len(REQUIRED_ATTRIBUTES) == 13


@pytest.mark.parametrize("kind", list(REQUIRED_ATTRIBUTES))
def test_each_type_with_its_attributes_is_valid_at_both_levels(kind):
    assert button_problems([leaf(kind), {"name": "m", "sub_button": [leaf(kind)]}]) == []


@pytest.mark.parametrize("kind", list(REQUIRED_ATTRIBUTES))
def test_each_type_without_its_attributes_names_every_missing_one(kind):
    required = REQUIRED_ATTRIBUTES[kind]
    assert fields([{"type": kind, "name": "b"}]) == [f"0.{a}" for a in required]
    assert fields([{"name": "m", "sub_button": [{"type": kind, "name": "b", required[0]: ""}]}]) == [
        f"0.sub_button.0.{a}" for a in required]


@pytest.mark.parametrize(("buttons", "expected"), LIMIT_CASES)
def test_each_limit(buttons, expected):
    assert fields(buttons) == expected


def test_every_problem_is_listed_in_one_pass():
    buttons = [leaf("click", "x" * 17), {"type": "click", "name": "k"}, {"type": "nope", "name": "n"},
               {"name": "m", "sub_button": [{"type": "miniprogram", "name": "x" * 61}] * 6}]
    problems = button_problems(buttons)
    assert [p.field for p in problems] == [
        "", "0.name", "1.key", "2.type", "3.sub_button",
        *[f"3.sub_button.{i}.{a}" for i in range(6) for a in ("name", "url", "appid", "pagepath")]]
    with pytest.raises(MenuInvalid) as raised:
        validate_buttons(buttons)
    assert raised.value.problems == problems and isinstance(raised.value, ValueError)
    assert "0.name: at most 16 bytes" in str(raised.value)


# The sandbox plays WeChat: the menus refused above are refused there too, with the platform's codes.

@pytest.fixture
def wechat_api(sandbox, control) -> Iterator[tuple[httpx.Client, str]]:
    """The sandbox's WeChat API, raw (the SDK would refuse these menus itself), and an access token."""
    wechat = load_settings(None, sandbox=sandbox.section).third.wechat
    with httpx.Client(base_url=wechat.api_base_url, timeout=10) as api:
        token = api.get("/cgi-bin/token", params={
            "grant_type": "client_credential", "appid": wechat.app_id, "secret": wechat.app_secret}).json()
        yield api, token["access_token"]


@pytest.mark.parametrize(("buttons", "errcode"), [
    ([leaf("click")] * 4, 40016),
    ([{"type": "nope", "name": "n"}], 40017),
    ([leaf("click", "x" * 17)], 40018),
    ([leaf("click", key="k" * 129)], 40019),
    ([leaf("view", url="u" * 1025)], 40020),
    ([{"name": "m", "sub_button": [leaf("click")] * 6}], 40023),
    ([{"name": "m", "sub_button": [leaf("click", "x" * 61)]}], 40025),
    ([{"type": "click", "name": "k"}], 40019),
    ([{"type": "view", "name": "v"}], 40020),
    ([{"type": "media_id", "name": "m"}], 40007),
] + [([leaf(kind), {"name": "m", "sub_button": [leaf(kind)]}], 0) for kind in REQUIRED_ATTRIBUTES])
def test_the_sandbox_agrees(wechat_api, buttons, errcode):
    api, token = wechat_api
    answer = api.post("/cgi-bin/menu/create", params={"access_token": token}, json={"button": buttons}).json()
    assert answer["errcode"] == errcode
    assert (button_problems(buttons) == []) == (errcode == 0)


@pytest.mark.parametrize(("kind", "permanent", "filename", "size", "expected"), [
    ("image", True, "a.bmp", 10 * MB, []),
    ("image", True, "a.PNG", 1, []),
    ("image", True, "a.png", 10 * MB + 1, ["size"]),
    ("image", False, "a.webp", 1, ["filename"]),
    ("voice", True, "a.wma", 2 * MB, []),
    ("voice", False, "a.wma", 1, ["filename"]),
    ("voice", False, "a.amr", 2 * MB + 1, ["size"]),
    ("video", True, "a.mp4", 10 * MB, []),
    ("video", False, "a.mov", 11 * MB, ["filename", "size"]),
    ("thumb", True, "a.jpg", 64 * 1024, []),
    ("thumb", False, "a.png", 64 * 1024 + 1, ["filename", "size"]),
    ("thumb", True, "a.jpg", 0, ["size"]),
    ("news", True, "a.jpg", 1, ["type"]),
])
def test_media_rules(kind, permanent, filename, size, expected):
    assert [what for what, _ in media_problems(kind, permanent, filename, size)] == expected
