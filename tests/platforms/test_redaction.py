"""One list of secret query parameters, masked alike in URLs (httpx's log lines) and in free text (records)."""

from __future__ import annotations

import pytest

from platforms.redaction import SECRET_PARAMS, redact, redact_url


@pytest.mark.parametrize("name", sorted(SECRET_PARAMS))
def test_every_secret_parameter_is_masked_in_a_url_and_in_text(name):
    url = f"https://api.test/cgi-bin/x?{name}=V4lue-0f-it&openid=o1"
    assert redact_url(url) == f"https://api.test/cgi-bin/x?{name}=%2A%2A%2A&openid=o1"
    assert redact(f"POST {url} failed") == f"POST https://api.test/cgi-bin/x?{name}=***&openid=o1 failed"


def test_text_loses_the_callers_own_secrets_and_keeps_the_rest():
    text = "robot SECabc rejected: sign=xyz%2B&timestamp=1 JS_CODE=c0de end"
    assert redact(text, ["SECabc", ""]) == "robot **** rejected: sign=***&timestamp=1 JS_CODE=*** end"


def test_a_parameter_that_only_ends_like_a_secret_is_left_alone():
    assert redact("robot_key=visible monkey=visible") == "robot_key=visible monkey=visible"
