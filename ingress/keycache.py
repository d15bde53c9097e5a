"""Verified API keys, remembered a few seconds per ingress process so a busy caller costs no query per request.

Only a key that verified is kept, under the SHA-256 digest of the whole key (never the key itself), so a wrong
key with a right prefix is looked up, and refused, every time. Revocation takes effect at once in the process
that revoked (``DELETE /api/v1/apikeys/{id}`` forgets the key there) and within ``TTL_SECONDS`` everywhere else
(another ingress replica, ``imbridge apikey revoke``). ``last_used_at`` keeps its one-minute resolution: the
lookup that refills an entry touches it as before.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable

from models import ApiClient, Database
from models.api_clients import authenticate

#: How long a verified key is trusted without asking the database again: the bound on a revocation made
#: elsewhere (another replica, the CLI) taking effect here.
TTL_SECONDS = 5.0
#: Entries kept at most (a flood of distinct valid keys cannot grow the cache without bound).
MAX_ENTRIES = 10_000


class ApiKeyCache:
    """``lookup(key)``: the live client owning ``key`` or None; a verified key is reused for ``ttl`` seconds."""

    def __init__(self, database: Database, ttl: float = TTL_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.database = database
        self.ttl = ttl
        self.clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, ApiClient]] = {}

    def lookup(self, key: str) -> ApiClient | None:
        digest = hashlib.sha256(key.encode()).hexdigest()
        now = self.clock()
        entry = self._entries.get(digest)
        if entry is not None and entry[0] > now:
            return entry[1]
        with self.database.session() as session:
            client = authenticate(session, key)
            if client is None:
                self._drop(digest)
                return None
            session.flush()  # the last_used_at touch, if due, before the client is detached
            session.expunge(client)
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[digest] = (now + self.ttl, client)
        return client

    def forget(self, key_id: str) -> None:
        """Drop every cached key of ``key_id`` (it was just revoked here)."""
        with self._lock:
            for digest in [d for d, (_, client) in self._entries.items() if client.key_id == key_id]:
                del self._entries[digest]

    def _drop(self, digest: str) -> None:
        with self._lock:
            self._entries.pop(digest, None)
