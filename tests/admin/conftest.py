"""The admin page in a real browser: ``imbridge up`` as a user runs it, driven by headless Chromium (Playwright).

One ``up`` (embedded Valkey, SQLite, the sandbox, in a temporary working directory) serves the whole package;
each test gets a fresh, logged-in page. The ``up`` and the browser last the session, not the package: pytest-xdist
hands a worker this package's files between others', and a package-scoped ``up`` restarted each time (10-20 s).
Screenshots go to ``var/screenshots/`` of the repository root.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port
from tests.waiting import wait_until_up

REPOSITORY = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPOSITORY / "var" / "screenshots"
#: Where the browser comes from: Debian's package (installed by .ci/run), or $CHROMIUM.
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
#: A developer without a browser opts out with ``IMBRIDGE_SKIP_BROWSER=1`` (README, "Tests"); without it a missing
#: browser fails these tests, so a run that never opened the page cannot pass. Read at import: the suite's
#: autouse fixture clears ``IMBRIDGE_*`` before each test.
SKIP_BROWSER = os.environ.get("IMBRIDGE_SKIP_BROWSER") == "1"
#: How long a test waits for the page to show something (ms).
UI_TIMEOUT_MS = 15_000


@dataclass(frozen=True)
class RunningImbridge:
    """What a test needs to reach a running ``imbridge up``."""

    url: str
    api_key: str
    sandbox_url: str
    workdir: Path

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}

    def journal(self, path: str) -> list[dict]:
        """What the sandbox's fake platforms received on paths containing ``path``."""
        answer = httpx.get(f"{self.sandbox_url}/_sandbox/journal", params={"path": path}, timeout=10)
        answer.raise_for_status()
        return answer.json()["entries"]


@pytest.fixture(scope="session")
def imbridge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningImbridge]:
    """``imbridge up`` in a temporary directory, on its own embedded Valkey and SQLite, stopped at the end."""
    if SKIP_BROWSER:
        pytest.skip("IMBRIDGE_SKIP_BROWSER=1: the browser tests were skipped on request")
    if CHROMIUM is None:
        pytest.fail("no Chromium found: install Debian's 'chromium' package or set $CHROMIUM "
                    "(IMBRIDGE_SKIP_BROWSER=1 skips the browser tests)")
    workdir = tmp_path_factory.mktemp("imbridge-up")
    port, sandbox_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMBRIDGE_") and k != "REDIS_URL"}
    env.update(IMBRIDGE_INGRESS__PORT=str(port), IMBRIDGE_SANDBOX__PORT=str(sandbox_port),
               IMBRIDGE_WEBHOOKS__ALLOW_NETWORKS='["127.0.0.1/32"]')  # the webhook test's subscriber listens here
    log = workdir / "up.log"
    with log.open("w") as output:
        up = subprocess.Popen([sys.executable, "-m", "imbridge", "up"], cwd=workdir, env=env,
                              stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, up, timeout=60, path="/readyz", log=log)
        key = (workdir / "var" / "demo-api-key").read_text().strip()
        yield RunningImbridge(url, key, f"http://127.0.0.1:{sandbox_port}", workdir)
    finally:
        up.send_signal(signal.SIGTERM)
        try:
            up.wait(timeout=30)
        except subprocess.TimeoutExpired:
            up.kill()
            up.wait()


@pytest.fixture(scope="session")
def browser(imbridge: RunningImbridge) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def anonymous_page(browser, imbridge: RunningImbridge) -> Iterator[object]:
    """A fresh browser context on the admin page, not logged in, in English (the page follows the browser's
    language; tests/admin/test_i18n.py covers 简体中文); page errors fail the test."""
    context = browser.new_context(viewport={"width": 1360, "height": 860}, locale="en-US")
    context.set_default_timeout(UI_TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{imbridge.url}/admin")
    yield page
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


@pytest.fixture
def page(anonymous_page, imbridge: RunningImbridge):
    """The admin page, logged in with the demo admin key."""
    anonymous_page.fill("#login-key", imbridge.api_key)
    anonymous_page.click("#login-form button[type=submit]")
    anonymous_page.wait_for_selector("#shell:not([hidden]) #nav a.active")
    return anonymous_page


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[[str], Path]:
    """``screenshot(name)``: the current page, full length, to ``var/screenshots/<name>.png``."""

    def take(name: str) -> Path:
        page = request.getfixturevalue("anonymous_page")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
