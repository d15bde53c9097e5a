"""The sandbox as test suites use it: served in a thread once per module, reset per test, its journal read by path.

The one way suites serve the sandbox: :func:`served_sandbox`, behind the ``sandbox`` / ``control`` /
``sandbox_url`` fixtures of ``tests/conftest.py``. Only the sandbox's own suite serves it otherwise: in process
(``tests/sandbox/conftest.py``) and through its server entry points (``tests/sandbox/test_server.py``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

import httpx
import pytest

from config import Settings, load_settings
from sandbox.server import serve_in_thread


class ServedSandbox(NamedTuple):
    """A sandbox served over HTTP: its base URL and a client of its control API (``/_sandbox``)."""

    url: str
    control: httpx.Client

    @property
    def section(self) -> dict[str, Any]:
        """The ``sandbox:`` settings of a deployment whose platforms are this sandbox (demo mode)."""
        host, port = self.url.removeprefix("http://").split(":")
        return {"enabled": True, "host": host, "port": int(port)}


def demo_settings() -> Settings:
    """The demo settings the sandbox knows, whatever an earlier test left in the environment."""
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith("IMBRIDGE_")]:
            patch.delenv(name)
        return load_settings(None, sandbox={"enabled": True})


@contextmanager
def served_sandbox() -> Iterator[ServedSandbox]:
    """A sandbox in a thread on a free port, stopped (held requests let go) on leaving."""
    url, stop = serve_in_thread(demo_settings(), port=0)
    try:
        with httpx.Client(base_url=f"{url}/_sandbox", timeout=10) as control:
            yield ServedSandbox(url, control)
    finally:
        stop()


def reset(control: httpx.Client) -> httpx.Client:
    """Forget everything: journal, tokens, faults, configuration, clock."""
    control.post("/reset").raise_for_status()
    return control


def journal(control: httpx.Client, path: str) -> list[dict[str, Any]]:
    """What the sandbox received on paths containing ``path``."""
    return control.get("/journal", params={"path": path}).json()["entries"]
