"""Shared fixtures: a real Redis and a real database for every suite.

Redis: ``$REDIS_URL`` when set, else an embedded Valkey server started once per session.
Database: SQLite in a temporary directory; ``$DATABASE_URL`` (PostgreSQL) adds a second run of database tests.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest
import redis


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    from imbridge.embedded_redis import EmbeddedRedis

    server = EmbeddedRedis(tmp_path_factory.mktemp("valkey"))
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    """A client on a clean database (tests own db 0..15 while they run; we flush the one we use)."""
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()
