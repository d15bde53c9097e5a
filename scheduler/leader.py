"""A Redis leader lock, so a second scheduler waits instead of running every job twice.

The leader holds ``SET key owner NX PX ttl`` and renews it well before it lapses; renewal and release are
compare-and-set scripts, so a leader that stalled past its TTL cannot extend or delete its successor's lock.
"""

from __future__ import annotations

import uuid

import redis

_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""

#: The lock every imbridge scheduler competes for.
SCHEDULER_LOCK_KEY = "imbridge:scheduler:leader"


class LeaderLock:
    """Leadership for one owner; ``acquire`` and ``renew`` return whether we lead now."""

    def __init__(self, client: redis.Redis, key: str = SCHEDULER_LOCK_KEY, ttl_seconds: float = 15.0) -> None:
        self.client = client
        self.key = key
        self.ttl_ms = int(ttl_seconds * 1000)
        self.owner = uuid.uuid4().hex
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)

    def acquire(self) -> bool:
        return bool(self.client.set(self.key, self.owner, nx=True, px=self.ttl_ms))

    def renew(self) -> bool:
        return bool(self._renew(keys=[self.key], args=[self.owner, self.ttl_ms]))

    def release(self) -> None:
        self._release(keys=[self.key], args=[self.owner])
