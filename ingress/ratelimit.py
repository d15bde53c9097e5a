"""Per-client request limits for the unauthenticated routes, counted in Redis so every ingress replica shares them.

``applyQrCode`` needs no key (a browser calls it before anyone logs in) and hands out codes from one pool that
every visitor shares: without a limit, one client looping on it drains the pool for everyone. A fixed window
per client is enough here: it bounds what one address can take (``count`` a window), costs one round trip,
and tells the client when to come back (429 with ``Retry-After``). ``/token/login`` and ``/user/third/bind``
use it too: each mini-program code they take costs a call to WeChat and a thread waiting for its answer.

Example::

    limit = ClientRateLimit(redis, "qr-apply", count=10, window_seconds=60)
    limit.check(client_address(req, settings.ingress.client_ip_header))   # raises ApiError 429 when over
"""

from __future__ import annotations

import math

import falcon
import redis

from ingress.errors import ApiError

# One round trip: count this request, start the window with the first one, say how long the window has left.
_SCRIPT = """
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}
"""


def client_address(req: falcon.Request, header: str = "") -> str:
    """Who is asking: the peer address, or (behind a proxy that sets it) the last entry of ``header``.

    Only the last entry of ``X-Forwarded-For`` is the proxy's own word; the ones before it are the client's.
    """
    if header:
        value = (req.get_header(header) or "").rsplit(",", 1)[-1].strip()
        if value:
            return value[:64]
    return req.remote_addr or "unknown"


class ClientRateLimit:
    """At most ``count`` requests per client in each ``window_seconds`` (``count`` 0: no limit)."""

    def __init__(self, redis_client: redis.Redis, name: str, count: int, window_seconds: int) -> None:
        self.redis = redis_client
        self.name = name
        self.count = count
        self.window_ms = window_seconds * 1000
        self._script = redis_client.register_script(_SCRIPT)

    def check(self, client: str) -> None:
        """Count one request of ``client``; raise a 429 with ``Retry-After`` when it is one too many."""
        if self.count <= 0:
            return
        n, ttl_ms = self._script(keys=[f"imbridge:ratelimit:{self.name}:{client}"], args=[self.window_ms])
        if int(n) > self.count:
            retry_after = max(1, math.ceil(int(ttl_ms) / 1000))
            raise ApiError(falcon.HTTP_429, f"too many requests from {client}: at most {self.count} every "
                           f"{self.window_ms // 1000} s; retry after {retry_after} s", code="rate_limited",
                           params={"client": client, "count": self.count, "seconds": self.window_ms // 1000,
                                   "retry_after": retry_after},
                           headers={"Retry-After": str(retry_after)})
