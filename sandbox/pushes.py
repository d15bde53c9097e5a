"""The sandbox posting to our ingress on its own, as the platforms do: WeChat's ``MASSSENDJOBFINISH`` after a mass send.

WeChat posts such events to the URL of the account's server configuration (URL, Token, EncodingAESKey) a little
after the call that caused them, signed and, with an AES key, encrypted like every callback
(:func:`sandbox.callbacks.build_wechat_callback`); a server that does not answer 200 is tried three times in all.
Where to post is the option ``wechat_server_url`` (``imbridge sandbox`` sets it to the ingress's portal, a test to
its own ingress); without one nothing is posted. ``GET /_sandbox/pushes`` lists what was posted and the answers.

Posts run on timer threads, never under the state's lock; a reset (or stopping the sandbox) cancels those not
yet made, so one test's report never reaches the next test's ingress.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx

from config import Settings
from sandbox.callbacks import build_wechat_callback, event_fields

#: WeChat tries a callback three times; the sandbox waits this long between tries (seconds).
ATTEMPTS = 3
RETRY_PAUSE_SECONDS = 1.0
#: Newest pushes kept for ``/_sandbox/pushes``.
KEPT = 200


class Pushes:
    """Callbacks the sandbox sends by itself, and what became of them.

    :param settings: the account's token, AES key and appid sign (and encrypt) what is posted; None: nothing
        can be posted (a sandbox built without settings).
    """

    def __init__(self, settings: Settings | None) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._timers: set[threading.Timer] = set()
        self._log: list[dict[str, Any]] = []

    def wechat_event(self, url: str | None, delay: float, event: str, from_user: str, **extra: Any) -> None:
        """Post the WeChat event ``event`` (with ``extra`` fields) to ``url`` after ``delay`` seconds; nothing
        when there is no URL."""
        if not url or self._settings is None:
            return
        fields = event_fields(self._settings, event, from_user, **extra)
        entry: dict[str, Any] = {"platform": "wechat", "url": url, "event": event, "fields": fields,
                                 "attempts": [], "done": False}
        timer = threading.Timer(delay, self._post, (entry,))
        timer.daemon = True
        with self._lock:
            self._log = [*self._log[-(KEPT - 1):], entry]
            self._timers.add(timer)
        timer.start()

    def _post(self, entry: dict[str, Any]) -> None:
        settings = self._settings
        assert settings is not None
        fields = {**entry["fields"], "CreateTime": int(time.time())}
        safe = bool(settings.third.wechat.encoding_aes_key)
        for attempt in range(ATTEMPTS):
            if not self._still_wanted():
                return
            request = build_wechat_callback(settings, fields, safe=safe)
            try:
                answer = httpx.post(entry["url"], params=request.params, content=request.body.encode(),
                                    headers={"Content-Type": "text/xml", "User-Agent": "Mozilla/4.0"}, timeout=5.0)
                outcome: dict[str, Any] = {"status": answer.status_code}
            except httpx.HTTPError as exc:
                outcome = {"error": type(exc).__name__}
            with self._lock:
                entry["attempts"].append(outcome)
            if outcome.get("status") == 200:
                break
            if attempt + 1 < ATTEMPTS:
                time.sleep(RETRY_PAUSE_SECONDS)
        with self._lock:
            entry["done"] = True
            self._timers.discard(threading.current_thread())  # type: ignore[arg-type]

    def _still_wanted(self) -> bool:
        with self._lock:
            return threading.current_thread() in self._timers

    def cancel(self) -> None:
        """Drop every push not yet made, and forget the list."""
        with self._lock:
            for timer in self._timers:
                timer.cancel()
            self._timers.clear()
            self._log = []

    def describe(self) -> list[dict[str, Any]]:
        """What was (or will be) posted, oldest first: URL, event, fields, each attempt's HTTP status or error."""
        with self._lock:
            return [{**e, "attempts": list(e["attempts"])} for e in self._log]
