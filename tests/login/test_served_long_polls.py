"""The real ingress (gunicorn, gthread) under 200 concurrent long-polls keeps answering everything else.

A held long-poll occupies one of its process's 32 threads, so the ingress holds only ``login.long-poll-slots``
of them per process and answers the rest at once with ``Retry-After``; the browsers (threads here) ask again
after that pause, as the demo page does. Meanwhile ``/healthz`` and ``applyQrCode`` must keep answering, and
a scan must still reach the held polls at once.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from config import load_settings
from core.login import PooledCode, QrPool
from sandbox import callbacks
from tests.conftest import free_port
from tests.waiting import stop_group, wait_until_up

BROWSERS = 200
#: Each long-poll asks to be held this long; everything else must answer far sooner.
HOLD_SECONDS = 20
#: What "promptly" means for the other requests here: a quarter of the hold, generous on a shared machine.
PROMPT_SECONDS = HOLD_SECONDS / 4




@pytest.fixture
def served_ingress(tmp_path: Path, redis_url: str, redis_client, sqlite_url: str):
    port = free_port()
    env = {**os.environ, "IMBRIDGE_REDIS__URL": redis_url, "IMBRIDGE_DATABASE__URL": sqlite_url,
           "IMBRIDGE_VAR_DIR": str(tmp_path / "var"), "IMBRIDGE_SECURITY__SECRET_KEY": "served-secret",
           "IMBRIDGE_INGRESS__PORT": str(port), "IMBRIDGE_INGRESS__WORKERS": "2", "IMBRIDGE_SANDBOX__ENABLED": "true",
           "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    process = subprocess.Popen([sys.executable, "-m", "imbridge", "ingress"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, process)
        yield url, load_settings(None, redis={"url": redis_url}, ingress={"port": port}, sandbox={"enabled": True})
    finally:
        stop_group(process)


@pytest.mark.timeout(120)
def test_200_long_polls_do_not_stop_the_ingress_answering(served_ingress, redis_client):
    url, settings = served_ingress
    pool = QrPool(redis_client, settings.login.pool_min_remaining_seconds)
    now = pool.now()
    for n in range(30):  # pooled as if minted: this test is about the ingress, not about WeChat
        pool.add(PooledCode(f"served-key-{n:011d}", f"ticket{n}", f"http://weixin.qq.com/q/{n}", now + 300))
    keys = [httpx.post(f"{url}/token/wechat/qr/applyQrCode").json()["data"]["qrCodeKey"] for _ in range(4)]

    stop = threading.Event()
    seen: Counter[str] = Counter()
    finished: dict[int, str] = {}
    lock = threading.Lock()

    def browser(n: int) -> None:
        key = keys[n % len(keys)]
        with httpx.Client(base_url=url, timeout=HOLD_SECONDS + 10) as http:
            while not stop.is_set():
                response = http.get("/token/wechat/qr/getStatus", params={"qrCodeKey": key, "wait": HOLD_SECONDS})
                status = response.json()["data"]
                with lock:
                    seen["held" if "Retry-After" not in response.headers else "answered at once"] += 1
                if status != "wait":
                    with lock:
                        finished[n] = status
                    return
                if "Retry-After" in response.headers:
                    stop.wait(float(response.headers["Retry-After"]))

    browsers = [threading.Thread(target=browser, args=(n,), daemon=True) for n in range(BROWSERS)]
    for thread in browsers:
        thread.start()
    time.sleep(2)  # every browser has asked at least once; the slots are full

    with httpx.Client(base_url=url, timeout=PROMPT_SECONDS) as other:
        for _ in range(20):
            assert other.get("/healthz").status_code == 200
        assert other.post("/token/wechat/qr/applyQrCode").json()["code"] == 0
        assert other.get("/readyz").status_code == 200

    # A scan still reaches the held polls of that key at once, and the retrying ones at their next ask.
    scanned_at = time.monotonic()
    reply = callbacks.read_reply(callbacks.scan(url, settings, keys[0], existing=True), settings)
    # (nobody is bound to the demo follower here: the phone is told so; the key is "ok" all the same)
    assert reply is not None and reply["Content"] == settings.login.scan_unbound_text
    deadline = scanned_at + PROMPT_SECONDS
    expected = {n for n in range(BROWSERS) if n % len(keys) == 0}
    while time.monotonic() < deadline and not expected <= finished.keys():
        time.sleep(0.05)
    stop.set()
    assert expected <= finished.keys() and {finished[n] for n in expected} == {"ok"}
    assert seen["held"] >= 1 and seen["answered at once"] >= 1
    for key in keys[1:]:  # release the polls still held
        callbacks.scan(url, settings, key, existing=True)
    for thread in browsers:
        thread.join(timeout=HOLD_SECONDS + 15)
