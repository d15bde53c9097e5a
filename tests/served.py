"""Waiting for a process the tests started as a server (``imbridge ingress``) to answer."""

from __future__ import annotations

import subprocess
import time

import httpx


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    """Until ``url``/healthz answers 200; fails at once if the process exited, else after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not come up")
