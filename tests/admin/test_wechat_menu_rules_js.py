"""The page's copy of the menu rules (wechat/menu-rules.js) finds what platforms/wechat/menu_rules.py finds, at the
same paths: every case of the server's rule tests, judged by both in one browser call."""

from __future__ import annotations

from platforms.wechat import button_problems
from platforms.wechat.menu_rules import REQUIRED_ATTRIBUTES
from tests.platforms import test_wechat_menu_rules as server_rules


def cases() -> list:
    found = [buttons for buttons, _ in server_rules.LIMIT_CASES]
    for kind in REQUIRED_ATTRIBUTES:
        found += [[server_rules.leaf(kind), {"name": "m", "sub_button": [server_rules.leaf(kind)]}],
                  [{"type": kind, "name": "b"}], [{"name": "m", "sub_button": [{"type": kind, "name": "一" * 21}]}]]
    found += [[server_rules.leaf("click", "x" * 17), {"type": "click", "name": "k"}, {"type": "nope", "name": "n"},
               {"name": "m", "sub_button": [{"type": "miniprogram", "name": "x" * 61}] * 6}],
              [{"type": 5, "name": "b"}], [{"type": {"a": [1, True]}, "name": "b"}],
              [{"type": None, "name": "b", "key": None}], "x", None,
              [{"name": "m", "sub_button": [{"type": "click", "name": "s", "key": "k", "sub_button": []}]}]]
    return found


def test_the_page_and_the_server_find_the_same_problems(anonymous_page):
    buttons = cases()
    in_page = anonymous_page.evaluate("""async (cases) => {
        const { buttonProblems } = await import("/admin/wechat/menu-rules.js");
        return cases.map((buttons) => buttonProblems(buttons));
    }""", buttons)
    for menu, page_found in zip(buttons, in_page, strict=True):
        server_found = [{"field": p.field, "message": p.message} for p in button_problems(menu)]
        assert page_found == server_found, menu
