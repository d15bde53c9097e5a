"""The sandbox as test suites use it: served once per module, reset per test, its journal read by path."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from config import Settings, load_settings
from sandbox.server import serve_in_thread


def demo_settings() -> Settings:
    """The demo settings the sandbox knows, whatever an earlier test left in the environment."""
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith("IMBRIDGE_")]:
            patch.delenv(name)
        return load_settings(None, sandbox={"enabled": True})


def served_sandbox() -> Iterator[tuple[str, httpx.Client]]:
    """A sandbox in a thread: its URL and a client for its control API."""
    url, stop = serve_in_thread(demo_settings(), port=0)
    control = httpx.Client(base_url=f"{url}/_sandbox")
    yield url, control
    control.close()
    stop()


def reset(control: httpx.Client) -> httpx.Client:
    control.post("/reset").raise_for_status()
    return control


def journal(control: httpx.Client, path: str) -> list[dict[str, Any]]:
    """What the sandbox received on paths containing ``path``."""
    return control.get("/journal", params={"path": path}).json()["entries"]
