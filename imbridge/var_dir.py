"""``var/``: where the embedded defaults keep their data, readable by its owner only.

It holds the SQLite database and its WAL, the embedded Valkey's AOF (live access tokens) and password, the
generated secret key and the demo admin key. Every ``imbridge`` process runs with :data:`PRIVATE_UMASK`, so what
it creates is its owner's alone; :func:`make_private` tightens what an earlier version left readable.

A running ``imbridge up`` also leaves notes here for the commands of another shell in the same directory
(``imbridge send``): its embedded Redis's URL, and whether it runs the demo.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

#: The umask of every imbridge process: the files it creates are 0600, its directories 0700.
PRIVATE_UMASK = 0o077
#: Under var/: the URL (password included) of a running ``imbridge up``'s embedded Redis.
RUNNING_REDIS_URL_FILE = "redis-url"
#: Under var/: present while the ``imbridge up`` of this directory runs the demo.
RUNNING_DEMO_FILE = "demo-mode"


def make_private(var_dir: Path) -> None:
    """Create ``var_dir`` (0700) and make everything already in it its owner's alone: directories 0700, files 0600.

    Symbolic links are left alone (and not followed): what they point at is not ours to change.
    """
    var_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    var_dir.chmod(0o700)
    for root, directories, files in os.walk(var_dir):
        for names, mode in ((directories, 0o700), (files, 0o600)):
            for name in names:
                path = os.path.join(root, name)
                with contextlib.suppress(FileNotFoundError):  # gone since the listing (a metrics file...)
                    if not os.path.islink(path):
                        os.chmod(path, mode)


def write_private(path: Path, text: str) -> None:
    """Write ``path`` readable by its owner only, whatever the umask or the mode of a file already there."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(text)
