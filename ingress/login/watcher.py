"""Long-polls of ``getStatus``: one Redis subscription per process, waiting requests parked on events.

A held request must neither poll Redis nor own a Redis connection, or 200 browsers waiting for a scan would
mean 200 connections and a stream of reads. Instead one daemon thread per process subscribes to the channel
the scan handler publishes to and sets the :class:`threading.Event` of every request waiting on that key.
A request registers its event *before* re-reading the status, so a scan landing in between is never missed;
after (re)subscribing, the thread wakes everybody to re-read once, which covers anything published while it
was not listening. The thread starts with the first long-poll and ends after a quiet minute.

A held request still occupies one of the ingress process's threads (``ingress.threads`` per process, 32 by default), so
only ``slots`` long-polls are held at once; the rest answer at once with ``Retry-After`` and the client asks
again. Whatever the number of browsers, the other threads stay free for everything else.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import redis

log = logging.getLogger(f"imbridge.{__name__}")

#: The subscriber thread stops after this many seconds without a waiting request.
IDLE_SECONDS = 60.0
#: Reconnection back-off bounds, seconds.
FIRST_BACKOFF, LAST_BACKOFF = 0.1, 5.0


class StatusWatcher:
    """Wakes the requests waiting on a key when its status changes.

    :param client: the process's Redis client (the subscription takes one connection of its pool).
    :param channel: where changed keys are published.
    :param slots: long-polls held at once in this process.

    Example::

        with watcher.slot() as held, watcher.watching(key) as changed:
            if held and still_waiting():
                changed.wait(timeout)
    """

    def __init__(self, client: redis.Redis, channel: str, slots: int) -> None:
        self.client = client
        self.channel = channel
        self._slots = threading.BoundedSemaphore(slots) if slots > 0 else None
        self._lock = threading.Lock()
        self._waiters: dict[str, set[threading.Event]] = {}
        self._thread: threading.Thread | None = None
        self._last_waiter = time.monotonic()
        self._stop = threading.Event()

    @contextmanager
    def slot(self) -> Iterator[bool]:
        """Yields whether this request may hold (a free slot was taken for the duration)."""
        acquired = self._slots is not None and self._slots.acquire(blocking=False)
        try:
            yield acquired
        finally:
            if acquired:
                assert self._slots is not None
                self._slots.release()

    @contextmanager
    def watching(self, key: str) -> Iterator[threading.Event]:
        """An event set whenever ``key`` changes (or the subscription was re-established), while inside."""
        event = threading.Event()
        with self._lock:
            self._waiters.setdefault(key, set()).add(event)
            self._ensure_thread()
        try:
            yield event
        finally:
            with self._lock:
                waiting = self._waiters.get(key)
                if waiting is not None:
                    waiting.discard(event)
                    if not waiting:
                        del self._waiters[key]
                self._last_waiter = time.monotonic()

    def waiting(self) -> int:
        """How many requests wait now."""
        with self._lock:
            return sum(len(events) for events in self._waiters.values())

    def stop(self) -> None:
        self._stop.set()

    def _ensure_thread(self) -> None:
        """Start the subscriber unless it runs (under ``_lock``)."""
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="qr-status-watcher", daemon=True)
            self._thread.start()

    def _wake(self, key: str | None) -> None:
        with self._lock:
            events = [e for waiting in self._waiters.values() for e in waiting] if key is None \
                else list(self._waiters.get(key, ()))
        for event in events:
            event.set()

    def _idle(self, *, failing: bool = False) -> bool:
        """True when nobody waits (and, unless ``failing``, nobody has for a while): the thread should end.

        It forgets itself under the lock, so a request arriving right then starts a new one.
        """
        with self._lock:
            if self._waiters or (not failing and time.monotonic() - self._last_waiter < IDLE_SECONDS):
                return False
            self._thread = None
            return True

    def _run(self) -> None:
        backoff = FIRST_BACKOFF
        while not self._stop.is_set():
            pubsub = self.client.pubsub()
            try:
                pubsub.subscribe(self.channel)
                while not self._stop.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if message is None:
                        if self._idle():
                            return
                    elif message.get("type") == "subscribe":
                        # Listening from now on: whatever changed before, the waiters find by re-reading.
                        backoff = FIRST_BACKOFF
                        self._wake(None)
                    elif message.get("type") == "message":
                        data = message["data"]
                        self._wake(data.decode() if isinstance(data, bytes) else str(data))
            except Exception as exc:  # redis errors, and a pool closed under us: retry while anyone waits
                if self._idle(failing=True):
                    return
                log.warning("QR status watcher lost Redis (%s); resubscribing in %.1fs", exc, backoff)
                self._wake(None)  # the waiters re-read (and fail or answer) instead of waiting blind
                self._stop.wait(backoff)
                backoff = min(backoff * 2, LAST_BACKOFF)
            finally:
                with suppress(Exception):
                    pubsub.close()
