import base64
import hashlib
import hmac

from platforms.dingtalk.sign import robot_sign, verify_robot_sign

SECRET = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd"
TIMESTAMP_MS = 1_700_000_000_000


def published_algorithm(secret: str, timestamp_ms: int) -> str:
    # DingTalk's documented Python sample, minus its final urllib.parse.quote_plus.
    string_to_sign = f"{timestamp_ms}\n{secret}"
    hmac_code = hmac.new(secret.encode("utf-8"), string_to_sign.encode("utf-8"), digestmod=hashlib.sha256).digest()
    return base64.b64encode(hmac_code).decode()


def test_matches_published_algorithm():
    assert robot_sign(SECRET, TIMESTAMP_MS) == published_algorithm(SECRET, TIMESTAMP_MS)


def test_is_not_url_encoded():
    signs = {robot_sign(SECRET, TIMESTAMP_MS + i) for i in range(50)}
    assert any(("+" in s or "/" in s) for s in signs)  # base64 alphabet, left for httpx to encode
    assert not any("%" in s for s in signs)


def test_verify_accepts_within_window_and_rejects_outside():
    sign = robot_sign(SECRET, TIMESTAMP_MS)
    assert verify_robot_sign(SECRET, TIMESTAMP_MS, sign, now_ms=TIMESTAMP_MS + 3600_000)
    assert verify_robot_sign(SECRET, TIMESTAMP_MS, sign, now_ms=TIMESTAMP_MS - 3600_000)
    assert not verify_robot_sign(SECRET, TIMESTAMP_MS, sign, now_ms=TIMESTAMP_MS + 3600_001)
    assert verify_robot_sign(SECRET, TIMESTAMP_MS, sign, now_ms=TIMESTAMP_MS, window_ms=0)


def test_verify_rejects_wrong_secret_or_timestamp():
    sign = robot_sign(SECRET, TIMESTAMP_MS)
    assert not verify_robot_sign(SECRET + "x", TIMESTAMP_MS, sign, now_ms=TIMESTAMP_MS)
    assert not verify_robot_sign(SECRET, TIMESTAMP_MS + 1, sign, now_ms=TIMESTAMP_MS)
