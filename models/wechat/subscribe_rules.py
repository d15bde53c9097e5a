"""What a subscription message's value may be, by its key's type (``thing1`` -> ``thing``).

WeChat refuses a value outside its type's rule with 47003 and the whole message is lost, so intake checks them
first and names the key (a 422). The rules are WeChat's published ones: lengths in characters, and the formats of
``time``, ``date``, ``amount``, ``number``, ``letter`` and ``phone_number``.
"""

from __future__ import annotations

import re

_TYPED_KEY = re.compile(r"^([a-z_]+?)(\d+)$")
_DATE = r"\d{4}[-/年.]\d{1,2}[-/月.]\d{1,2}日?"
_TIME = r"\d{1,2}:\d{2}(?::\d{2})?"
_TIME_POINT = rf"(?:{_DATE}\s*)?{_TIME}"
_DATE_POINT = rf"{_DATE}(?:\s*{_TIME})?"

#: Longest value, in characters, per key type.
MAX_CHARS = {"thing": 20, "number": 32, "letter": 32, "symbol": 5, "character_string": 32, "phrase": 5,
             "name": 10, "phone_number": 17, "car_number": 8, "amount": 32, "time": 64, "date": 64, "const": 20}
#: Formats per key type (a range is two points joined by ``~``), and what to tell the sender.
FORMATS: dict[str, tuple[re.Pattern[str], str]] = {
    "time": (re.compile(rf"^{_TIME_POINT}(?:\s*~\s*{_TIME_POINT})?$"), "a time such as 15:01 or 2024-05-01 15:01"),
    "date": (re.compile(rf"^{_DATE_POINT}(?:\s*~\s*{_DATE_POINT})?$"), "a date such as 2024-05-01 or 2024年5月1日"),
    "number": (re.compile(r"^-?\d+(?:\.\d+)?$"), "a number"),
    "letter": (re.compile(r"^[A-Za-z]+$"), "letters only"),
    "amount": (re.compile(r"^[¥￥$]?\d+(?:\.\d{1,2})?元?$"), "an amount such as 99.00, ¥99.00 or 99元"),
    "phone_number": (re.compile(r"^[+\d][\d\-]*$"), "a phone number (digits, + and -)"),
}


def key_type(key: str) -> str | None:
    """``thing`` for ``thing1``; None for a key without a type."""
    match = _TYPED_KEY.match(key)
    return match.group(1) if match else None


def value_problem(key: str, value: str) -> str | None:
    """Why ``value`` cannot fill ``key`` (None when it can)."""
    kind = key_type(key)
    if kind is None:
        return None
    if not value.strip():
        return "must not be empty"
    limit = MAX_CHARS.get(kind)
    if limit is not None and len(value) > limit:
        return f"{kind} values are at most {limit} characters (this one has {len(value)})"
    rule = FORMATS.get(kind)
    if rule is not None and not rule[0].match(value.strip()):
        return f"{kind} values must be {rule[1]}"
    return None
