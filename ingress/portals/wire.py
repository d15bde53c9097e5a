"""One Redis connection per request thread, driven by its public send/read calls: no pool, no client layers.

redis-py's ``Redis.execute_command`` checks a connection out of the pool, runs its retry and callback layers,
and checks it back in: three times the CPU of the round trip itself, on the one round trip every callback makes.
A :class:`Link` owns one ``redis.Connection`` (made by the runtime's pool, so the same server, TLS and
credentials) and calls only its documented ``send_packed_command`` and ``read_response``; commands are packed
by hiredis's ``pack_command``.

Measured (issue 19): this link 15 us CPU a round trip, the old wire-level link on the connection's private socket
11 us, ``Redis.set`` 49 us; a portal callback costs about 180 us, so the private socket won under 3 %.

Errors are redis-py's own: a reply error as its parser maps it (``NoScriptError``...), ``redis.TimeoutError``
when Redis does not answer in time, ``redis.ConnectionError`` when the connection fails; after either of the
last two the connection is closed by redis-py (a late reply must not answer the next command) and the link must
be replaced.
"""

from __future__ import annotations

from typing import Any

import hiredis
import redis


class Link:
    """This thread's connection to Redis (not thread-safe: one per thread).

    :param connection: a redis-py connection with its timeouts set; connected here.
    """

    def __init__(self, connection: redis.Connection) -> None:
        self.connection = connection
        connection.connect()  # redis.ConnectionError / TimeoutError if Redis cannot be reached

    def call(self, *command: Any) -> Any:
        """Send one command, return its reply; raise its error reply as redis-py does."""
        self.connection.send_packed_command([hiredis.pack_command(command)], check_health=False)
        return self.connection.read_response()

    def close(self) -> None:
        self.connection.disconnect()
