"""The seed paths' failure texts: one catalogue, the language the browser prefers, the codes the README lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingress.login.messages import MESSAGES, Code, account_name, language, message

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.parametrize(("header", "expected"), [
    (None, "zh"), ("", "zh"), ("zh-CN,zh;q=0.9,en;q=0.8", "zh"), ("en-US,en;q=0.9", "en"), ("en", "en"),
    ("fr-FR, en;q=0.5", "en"), ("en;q=0.5, zh-TW;q=0.8", "zh"), ("en;q=0", "zh"), ("fr, de", "zh"), ("*", "zh"),
    ("en;q=oops, zh", "zh"), ("EN-gb", "en"),
])
def test_the_language_is_the_browsers_first_choice_of_chinese_and_english(header, expected):
    assert language(header) == expected


def test_every_code_has_both_texts_and_fills_its_fields():
    assert set(MESSAGES) == set(Code)
    assert all(zh and en and zh != en for code, (zh, en) in MESSAGES.items() if code is not Code.SUCCESS)
    assert message(Code.RATE_LIMITED, "zh", seconds=7) == "操作过于频繁，请 7 秒后再试"
    assert message(Code.INVALID_PARAMETER, "en", fields="authCode") == "Missing or invalid parameter: authCode"
    assert message(Code.INVALID_PARAMETER, "en").endswith(": ?")


def test_the_readme_lists_every_failure_code_with_its_status_and_text():
    section = README.read_text(encoding="utf-8").split("**Failure codes**", 1)[1].split("\n\n", 2)[1]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in section.splitlines()[2:]]
    listed = {int(code): (int(status), text) for code, status, _, text in rows}
    assert set(listed) == set(Code) - {Code.SUCCESS}
    for code, (status, text) in listed.items():
        assert status == {Code.SYSTEM_ERROR: 500, Code.TRY_AGAIN: 503}.get(Code(code), 200), code
        zh = MESSAGES[Code(code)][0].replace("{fields}", "`field`").replace("{seconds}", "N").replace(
            "{account}", account_name(None, "zh")).replace("{account_code}", "`code`")
        assert zh.startswith(text.removesuffix("…")) if text.endswith("…") else zh == text, code
