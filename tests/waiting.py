"""Waiting in tests: for a condition, for a server process the test started to answer, and for it to stop."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx


def wait_for(predicate: Callable[[], Any], timeout: float = 15.0, interval: float = 0.05, *,
             ignoring: type[BaseException] | tuple[type[BaseException], ...] = ()) -> Any:
    """The first truthy value of ``predicate``, polled every ``interval``; an ``ignoring`` error counts as falsy."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
        except ignoring:
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(interval)


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 30, path: str = "/healthz",
                  log: Path | None = None) -> None:
    """Until ``url + path`` answers 200; fails at once if the process exited (with the tail of ``log``)."""
    def tail() -> str:
        return f":\n{log.read_text(errors='replace')[-4000:]}" if log else ""

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}{tail()}")
        try:
            if httpx.get(f"{url}{path}", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url}{path} did not answer 200 in {timeout} s{tail()}")


def stop_group(process: subprocess.Popen, timeout: float = 15) -> None:
    """SIGTERM to the group ``process`` leads (started with ``start_new_session``); SIGKILL after ``timeout``."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
