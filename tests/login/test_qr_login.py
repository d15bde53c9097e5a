"""QR-code login end to end: the real ingress, Redis, database and worker, the sandbox as WeChat.

apply -> (long-poll) -> scan (new or existing follower) -> ok -> login -> the key is used up; expiry,
unbound scanners, first-scan-wins and one login per key under concurrency.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from ingress.login.messages import Code
from tests.login.conftest import OPENID, STRANGER, apply, code, create_user, login, scan, status, wait_for


def qrcode_creates(sandbox) -> int:
    return len(sandbox.get("/journal", params={"path": "/cgi-bin/qrcode/create"}).json()["entries"])


def test_apply_hands_out_a_pooled_code_without_calling_wechat(client, runtime, filled_pool, sandbox, worker):
    worker.stop()  # nothing may mint behind the request's back: the request itself must not call WeChat
    minted = qrcode_creates(sandbox)
    qr = apply(client)
    assert qrcode_creates(sandbox) == minted
    assert set(qr) == {"qrCodeKey", "qrCodeUrl", "expireSeconds"}
    config = runtime.settings.login
    assert config.pool_min_remaining_seconds <= qr["expireSeconds"] <= config.qr_lifetime_seconds
    assert qr["qrCodeUrl"].startswith("http://weixin.qq.com/q/")
    assert filled_pool.size() == config.pool_size - 1
    # What the phone reads from that code is a live ticket for scene login_<key>.
    tickets = sandbox.get("/wechat/qrcodes", params={"scene": f"login_{qr['qrCodeKey']}"}).json()["qrcodes"]
    assert [t["url"] for t in tickets] == [qr["qrCodeUrl"]]
    assert tickets[0]["action_name"] == "QR_STR_SCENE"


def test_the_key_lives_as_long_as_the_answer_says_and_never_past_its_code(client, runtime, filled_pool, sandbox):
    qr = apply(client)
    ttl = runtime.redis.pttl(f"imbridge:qr:key:{qr['qrCodeKey']}") / 1000
    assert qr["expireSeconds"] - 1 <= ttl <= qr["expireSeconds"] + 1
    create = sandbox.get("/journal", params={"path": "/cgi-bin/qrcode/create"}).json()["entries"][0]
    assert create["json"]["expire_seconds"] == runtime.settings.login.pool_code_lifetime_seconds
    assert qr["expireSeconds"] <= runtime.settings.login.qr_lifetime_seconds  # the key: a login's minutes


def test_an_empty_pool_mints_and_the_request_waits_for_it(client, runtime, pool, worker, sandbox):
    assert pool.size() == 0
    qr = apply(client)
    assert qr["expireSeconds"] > runtime.settings.login.pool_min_remaining_seconds
    assert qrcode_creates(sandbox) >= 1
    # The request also queued a top-up: the pool is back at its target (here pool-min-size = pool-size).
    wait_for(lambda: pool.size() == runtime.settings.login.pool_size)


@pytest.mark.parametrize("login_overrides", [{"apply_wait_seconds": 0.3}])
def test_an_empty_pool_and_no_worker_is_a_503_with_a_retry_hint(client, runtime, pool, sandbox):
    result = client.simulate_post("/token/wechat/qr/applyQrCode")
    assert result.status_code == 503 and code(result) == Code.TRY_AGAIN
    assert int(result.headers["Retry-After"]) >= 1
    assert qrcode_creates(sandbox) == 0
    # One top-up is queued, however many requests find the pool empty, plus one on-demand mint per request
    # (each skipped by the worker once its request has given up).
    for _ in range(3):
        assert client.simulate_post("/token/wechat/qr/applyQrCode").status_code == 503
    assert runtime.redis.llen("imbridge-dramatiq:login") == 1 + 4


def test_a_new_follower_scans_logs_in_and_the_key_is_used_up(client, runtime, admin, filled_pool, sandbox,
                                                               sandbox_url):
    user = create_user(client, admin, "alice", ("wechat", OPENID), displayName="Alice")
    qr = apply(client)
    key = qr["qrCodeKey"]
    assert status(client, key) == "wait"
    reply = scan(client, runtime.settings, key, sandbox_url=sandbox_url)
    assert reply["MsgType"] == "text" and reply["Content"] == runtime.settings.login.scan_reply_text
    assert status(client, key) == "ok"

    result = login(client, key)
    assert code(result) == 0
    assert result.json["user"] == {"id": user["id"], "username": "alice", "displayName": "Alice", "enabled": True}
    assert result.json["expiresIn"] == runtime.settings.login.token_ttl_seconds
    assert len(result.json["data"]) >= 40

    again = login(client, key)
    assert code(again) == Code.QR_KEY_EXPIRED
    assert status(client, key) == "expired"


def test_an_existing_follower_scan_is_recognised_too(client, runtime, admin, filled_pool):
    create_user(client, admin, "bob", ("wechat", OPENID))
    key = apply(client)["qrCodeKey"]
    reply = scan(client, runtime.settings, key, existing=True)  # SCAN with EventKey login_<key>, no prefix
    assert reply["Content"] == runtime.settings.login.scan_reply_text
    assert status(client, key) == "ok"
    assert code(login(client, key)) == 0


def test_the_inbound_record_names_the_login_scene(client, runtime, filled_pool, worker, admin):
    key = apply(client)["qrCodeKey"]
    scan(client, runtime.settings, key, existing=True)
    records = wait_for(lambda: client.simulate_get("/api/v1/inbound", headers=admin).json["items"])
    assert records[0]["handler"] == "QrSceneDispatch:LoginScene"


def test_a_scan_keeps_the_expiry_of_the_key(client, runtime, filled_pool):
    key = apply(client)["qrCodeKey"]
    before = runtime.redis.pttl(f"imbridge:qr:key:{key}")
    scan(client, runtime.settings, key)
    after = runtime.redis.pttl(f"imbridge:qr:key:{key}")
    assert 0 < after <= before


def test_the_long_poll_answers_as_soon_as_the_scan_is_handled(client, runtime, filled_pool):
    key = apply(client)["qrCodeKey"]
    answers: list[tuple[str, float]] = []

    def browser() -> None:
        started = time.monotonic()
        answers.append((status(client, key, wait=20), time.monotonic() - started))

    waiting = threading.Thread(target=browser)
    waiting.start()
    wait_for(lambda: runtime.redis.pubsub_numsub("imbridge:qr:changed")[0][1] == 1)  # the process listens
    time.sleep(0.2)  # and the browser's request has parked
    scanned_at = time.monotonic()
    scan(client, runtime.settings, key)
    waiting.join(timeout=25)
    assert answers and answers[0][0] == "ok"
    # Well before the 20 s wait ends: it was woken, not timed out.
    assert time.monotonic() - scanned_at < 10


def test_a_long_poll_without_a_change_answers_wait_when_its_time_is_up(client, filled_pool):
    key = apply(client)["qrCodeKey"]
    assert status(client, key, wait=1) == "wait"


def test_unknown_keys_are_expired_and_bad_waits_are_refused(client):
    assert status(client, "no-such-key-0000000000") == "expired"
    assert status(client, "!") == "expired"
    assert status(client, "no-such-key-0000000000", wait=5) == "expired"  # nothing to wait for: at once
    for bad in ("26", "-1", "soon"):
        result = client.simulate_get("/token/wechat/qr/getStatus", params={"qrCodeKey": "k" * 22, "wait": bad})
        assert code(result) == Code.INVALID_PARAMETER, bad
        assert "wait" in result.json["msg"]
    missing = client.simulate_get("/token/wechat/qr/getStatus")
    assert code(missing) == Code.INVALID_PARAMETER and "qrCodeKey" in missing.json["msg"]


@pytest.mark.parametrize("login_overrides", [{"qr_lifetime_seconds": 3, "pool_min_remaining_seconds": 1}])
def test_a_key_expires_with_its_code(client, runtime, admin, filled_pool):
    create_user(client, admin, "carol", ("wechat", OPENID))
    key = apply(client)["qrCodeKey"]
    started = time.monotonic()
    assert status(client, key, wait=15) == "expired"  # the long-poll wakes at the key's end, unprompted
    assert time.monotonic() - started < 10
    reply = scan(client, runtime.settings, key)
    assert reply["Content"] == runtime.settings.login.scan_expired_text
    assert status(client, key) == "expired"
    assert code(login(client, key)) == Code.QR_KEY_EXPIRED


def test_an_unbound_scanner_is_told_how_to_bind_and_the_key_survives(client, runtime, admin, filled_pool):
    key = apply(client)["qrCodeKey"]
    reply = scan(client, runtime.settings, key, STRANGER)
    # The phone hears what the browser will: not "confirmed", but that nobody is bound to this account.
    assert reply["Content"] == runtime.settings.login.scan_unbound_text
    assert "尚未绑定" in reply["Content"] and "not bound" in reply["Content"]
    refused = login(client, key)
    assert code(refused) == Code.NOT_BOUND and "绑定" in refused.json["msg"]
    assert status(client, key) == "ok"
    # Once an operator binds the account, the same scan logs in (once).
    user = create_user(client, admin, "dave", ("wechat", STRANGER))
    result = login(client, key)
    assert code(result) == 0 and result.json["user"]["id"] == user["id"]
    assert code(login(client, key)) == Code.QR_KEY_EXPIRED


def test_login_before_the_scan_is_refused_and_changes_nothing(client, filled_pool):
    key = apply(client)["qrCodeKey"]
    assert code(login(client, key)) == Code.NOT_SCANNED
    assert status(client, key) == "wait"


def test_the_first_scan_stands(client, runtime, admin, filled_pool):
    create_user(client, admin, "erin", ("wechat", OPENID))
    key = apply(client)["qrCodeKey"]
    scan(client, runtime.settings, key, OPENID)
    second = scan(client, runtime.settings, key, STRANGER, existing=True)
    assert second["Content"] == runtime.settings.login.scan_expired_text
    result = login(client, key)
    assert code(result) == 0 and result.json["user"]["username"] == "erin"


def test_two_logins_racing_with_one_key_give_one_token(client, runtime, admin, filled_pool):
    create_user(client, admin, "frank", ("wechat", OPENID))
    key = apply(client)["qrCodeKey"]
    scan(client, runtime.settings, key)
    with ThreadPoolExecutor(8) as threads:
        codes = sorted(code(r) for r in threads.map(lambda _: login(client, key), range(8)))
    assert codes == [0] + [Code.QR_KEY_EXPIRED] * 7


def test_a_disabled_user_cannot_log_in(client, runtime, admin, filled_pool):
    user = create_user(client, admin, "gina", ("wechat", OPENID), enabled=False)
    key = apply(client)["qrCodeKey"]
    scan(client, runtime.settings, key)
    assert code(login(client, key)) == Code.USER_DISABLED
    assert client.simulate_get(f"/api/v1/users/{user['id']}", headers=admin).json["enabled"] is False


def test_bad_login_parameters_name_the_field(client):
    for body, field in (({}, "loginType"), ({"loginType": "password", "authCode": "x"}, "loginType"),
                        ({"loginType": "weChat", "authCode": ""}, "authCode")):
        result = client.simulate_post("/token/login", json=body)
        assert code(result) == Code.INVALID_PARAMETER and field in result.json["msg"], body
    broken = client.simulate_post("/token/login", body="{", headers={"Content-Type": "application/json"})
    assert code(broken) == Code.BAD_REQUEST_BODY
    assert code(client.simulate_post("/token/login", json=["weChat"])) == Code.BAD_REQUEST_BODY
    xml = client.simulate_post("/token/login", body="<x/>", headers={"Content-Type": "text/xml"})
    assert code(xml) == Code.BAD_REQUEST_BODY


def test_login_parameters_travel_in_the_query_string_a_form_or_json(client, runtime, admin, filled_pool):
    create_user(client, admin, "hugo", ("wechat", OPENID))
    sends = [
        lambda key: {"params": {"loginType": "weChat", "authCode": key}},
        lambda key: {"body": f"loginType=weChat&authCode={key}",
                     "headers": {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"}},
        lambda key: {"json": {"clientCode": "weChat", "authCode": key}},  # the seed's QR-bind page's name
    ]
    for send in sends:
        key = apply(client)["qrCodeKey"]
        scan(client, runtime.settings, key)
        result = client.simulate_post("/token/login", **send(key))
        assert code(result) == 0 and result.json["user"]["username"] == "hugo"
    assert code(client.simulate_get("/token/login")) == Code.METHOD_NOT_ALLOWED
