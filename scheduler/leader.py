"""A Redis leader lock, so a second scheduler waits instead of running every job twice.

redis-py's :class:`redis.lock.Lock` (the token store's lock too): the leader holds the key with its owner id as the
token and renews it well before it lapses; renewal and release compare the token first, so a leader that stalled
past its TTL cannot extend or delete its successor's lock.
"""

from __future__ import annotations

import contextlib
import uuid

import redis
from redis.exceptions import LockError

#: The lock every imbridge scheduler competes for.
SCHEDULER_LOCK_KEY = "imbridge:scheduler:leader"


class LeaderLock:
    """Leadership for one owner; ``acquire`` and ``renew`` return whether we lead now.

    The lock is not thread-local: the scheduler's jobs renew it from APScheduler's threads.
    """

    def __init__(self, client: redis.Redis, key: str = SCHEDULER_LOCK_KEY, ttl_seconds: float = 15.0) -> None:
        self.key = key
        self.owner = uuid.uuid4().hex
        self.lock = client.lock(key, timeout=ttl_seconds, blocking=False, thread_local=False)

    def acquire(self) -> bool:
        return self.lock.acquire(blocking=False, token=self.owner)

    def renew(self) -> bool:
        try:
            return self.lock.reacquire()
        except LockError:  # never held, or lost to a successor (LockNotOwnedError is one)
            return False

    def release(self) -> None:
        with contextlib.suppress(LockError):  # not ours (any more): nothing to release
            self.lock.release()
