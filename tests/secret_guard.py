"""A pytest plugin: no secret may appear in a log line or an ingress response, anywhere in the test session.

It keeps a registry of the secret values the session comes to know:

* every Settings built through ``config.load_settings``: app secrets, callback tokens, AES keys, the
  ``security.secret-key``, the password in ``redis.url`` and ``broker.url``;
* the password of every embedded Valkey started (``imbridge.embedded_redis``);
* every API key ``models.api_clients.create_api_client`` returns;
* every access token and mini-program ``session_key`` the sandbox issues, every robot it is told about;
* secrets tests send in request bodies (robot ``accessToken``/``secret``/``key``, webhook ``secret``);
* secret-looking environment values given to the ``imbridge`` processes tests start.

And it captures what could leak them: every log record of the test process (root logger at INFO at least, as the
processes run), every response body of an ingress app seen through ``falcon.testing``, and the stderr of the
``imbridge`` processes tests start with it discarded. At the end of the session every text is searched for every
secret; a leak fails the session, naming the secret's kind and where it appeared, never the secret itself.

The answer that exists to show a secret once (the key ``POST /api/v1/apikeys`` creates) is exempt for that kind
(a webhook's generated secret, shown once too, is never registered). The sandbox's own logs are the platform's,
not ours: skipped.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import re
import shutil
import subprocess
import tempfile
import threading
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

#: Shorter values are not tracked: too likely to occur by chance (and not secrets worth the name).
MIN_SECRET_LENGTH = 8
#: The characters of tokens, keys and base64: a secret made only of these lies within one run of them.
_RUN = re.compile(r"[A-Za-z0-9+/=_\-.~]+")
_INDEX = MIN_SECRET_LENGTH
#: Body fields whose values are secrets, in the requests tests send to these ingress paths (elsewhere a ``key`` is
#: a menu button's key, not a credential).
SECRET_FIELDS = {
    "/api/v1/robots/": {"secret": "robot signing secret", "accessToken": "robot access token",
                        "key": "WeCom robot webhook key"},
    "/api/v1/webhooks": {"secret": "webhook secret"},
}
#: Environment variables (of the processes tests start) whose values are secrets.
_SECRET_ENV = re.compile(r"(SECRET|TOKEN|AES_KEY|PASSWORD)", re.IGNORECASE)
#: Responses that show a secret of this kind once, by design.
EXEMPT = {("POST", "/api/v1/apikeys"): {"API key"}}


def fingerprint(secret: str) -> str:
    """How a report names a secret: its length and a short hash, never the value."""
    return f"{len(secret)} chars, sha256 {hashlib.sha256(secret.encode()).hexdigest()[:10]}"


@dataclass(frozen=True)
class Leak:
    kind: str
    where: str
    secret_fingerprint: str

    def __str__(self) -> str:
        return f"{self.kind} ({self.secret_fingerprint}) appeared in {self.where}"


@dataclass
class LeakScanner:
    """Known secrets and captured texts; :meth:`leaks` searches the one in the other."""

    secrets: dict[str, str] = field(default_factory=dict)
    #: The test running now (its node id), named with each place a text is seen, so a leak can be traced.
    current_test: str = ""
    #: text -> where it was seen (first place only), and the secret kinds that place may show.
    texts: dict[str, tuple[str, frozenset[str]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def register(self, kind: str, value: Any) -> None:
        """Remember a secret; a placeholder (the example config's ``xxxxxxxx``) guards nothing and is skipped, or
        every long run of ``x`` in a test's log would count as its leak."""
        from config.placeholders import is_placeholder

        if isinstance(value, str) and len(value) >= MIN_SECRET_LENGTH and not is_placeholder(value):
            with self.lock:
                self.secrets.setdefault(value, kind)

    def capture(self, text: str, where: str, exempt: Iterable[str] = ()) -> None:
        if text:
            if self.current_test:
                where = f"{where} (during {self.current_test})"
            with self.lock:
                self.texts.setdefault(text, (where, frozenset(exempt)))

    def leaks(self, secrets: dict[str, str] | None = None) -> list[Leak]:
        """Every (secret, place) found; ``secrets`` replaces the registry (the self-test uses it)."""
        with self.lock:
            secrets = dict(self.secrets if secrets is None else secrets)
            texts = dict(self.texts)
        plain = {s: k for s, k in secrets.items() if _RUN.fullmatch(s)}
        odd = {s: k for s, k in secrets.items() if s not in plain}
        by_prefix: dict[str, list[str]] = {}
        for secret in plain:
            by_prefix.setdefault(secret[:_INDEX], []).append(secret)
        found: dict[tuple[str, str], Leak] = {}
        for text, (where, exempt) in texts.items():
            hits = set()
            for run in _RUN.findall(text):
                if len(run) < _INDEX:
                    continue
                for start in range(len(run) - _INDEX + 1):
                    for secret in by_prefix.get(run[start:start + _INDEX], ()):
                        if run.startswith(secret, start):
                            hits.add(secret)
            hits.update(secret for secret in odd if secret in text)
            for secret in hits:
                kind = secrets[secret]
                if kind not in exempt:
                    found.setdefault((secret, where), Leak(kind, where, fingerprint(secret)))
        return sorted(found.values(), key=str)


class LogCapture(logging.Handler):
    """Keeps the text of every record (message and traceback) for the scanner."""

    def __init__(self, scanner: LeakScanner, skip_prefixes: tuple[str, ...] = ("sandbox",)) -> None:
        super().__init__(logging.DEBUG)
        self.scanner = scanner
        self.skip_prefixes = skip_prefixes
        self._formatter = logging.Formatter()

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(self.skip_prefixes) or _drives_the_sandbox(record):
            return
        try:
            text = record.getMessage()
            if record.exc_info:
                text += "\n" + self._formatter.formatException(record.exc_info)
        except Exception:  # a record that cannot be rendered is the logging call's problem, not ours
            return
        self.scanner.capture(text, f"a log record of {record.name!r} at {record.levelname}")


def _drives_the_sandbox(record: logging.LogRecord) -> bool:
    """An httpx line of a test calling the sandbox's control API (``/_sandbox/...``, e.g. removing a robot by its
    token): the harness playing the platform, which the product never calls."""
    return record.name == "httpx" and isinstance(record.args, tuple) and any(
        _path(arg).startswith("/_sandbox/") for arg in record.args)


def _path(arg: object) -> str:
    """The path of a URL argument (httpx's own, or the string the redaction filter made of it); else ""."""
    if isinstance(arg, str) and arg.startswith(("http://", "https://")):
        try:
            arg = httpx.URL(arg)
        except httpx.InvalidURL:
            return ""
    return arg.path if isinstance(arg, httpx.URL) else ""


def _request_secrets(path: str, kwargs: dict[str, Any]) -> Iterable[tuple[str, str]]:
    fields = next((names for prefix, names in SECRET_FIELDS.items() if path.startswith(prefix)), None)
    if fields is None:
        return
    body = kwargs.get("json")
    if body is None and isinstance(kwargs.get("body"), str | bytes):
        try:
            body = json.loads(kwargs["body"])
        except (ValueError, RecursionError):  # not JSON, or hostile JSON a test sends on purpose
            return
    if isinstance(body, dict):
        for name, kind in fields.items():
            if isinstance(body.get(name), str):
                yield kind, body[name]


#: What the sandbox hands out or is handed, as its journal records it: answer fields and query parameters.
_JOURNAL_ANSWER = {"access_token": "platform access token (sandbox-issued)",
                   "session_key": "mini-program session_key (sandbox-issued)",
                   "accessToken": "platform access token (sandbox-issued, v1.0 or a user's)",
                   "refreshToken": "user refresh token (sandbox-issued)"}
_JOURNAL_QUERY = {"access_token": "access token (platform's or robot's)", "key": "WeCom robot webhook key",
                  "secret": "app secret", "appsecret": "app secret", "corpsecret": "WeCom corp secret"}


def _journal_secrets(entry: dict[str, Any]) -> Iterable[tuple[str, str]]:
    answer = entry.get("response")
    if isinstance(answer, dict):
        for name, kind in _JOURNAL_ANSWER.items():
            if isinstance(answer.get(name), str):
                yield kind, answer[name]
    query = entry.get("query")
    if isinstance(query, dict):
        for name, kind in _JOURNAL_QUERY.items():
            if isinstance(query.get(name), str):
                yield kind, query[name]


def _is_ingress(app: Any) -> bool:
    """Our ingress, not the sandbox (whose answers carry tokens by design): the one app that routes ``{id:id}``
    fields with our converter (read through Falcon's public ``router_options``; a route walk with
    ``falcon.inspect`` would cost a second per request)."""
    from ingress.bounds import RowIdConverter

    options = getattr(app, "router_options", None)
    return options is not None and options.converters.get("id") is RowIdConverter


def _settings_secrets(settings: Any) -> Iterable[tuple[str, str]]:
    third = settings.third
    yield "WeChat app secret", third.wechat.app_secret
    yield "WeChat callback token", third.wechat.token
    yield "WeChat AES key", third.wechat.encoding_aes_key
    yield "mini-program app secret", third.wechat_applet.app_secret
    yield "WeCom corp secret", third.wecom.corp_secret
    yield "WeCom callback token", third.wecom.token
    yield "WeCom AES key", third.wecom.encoding_aes_key
    yield "DingTalk app secret", third.ding_talk.app_secret
    yield "security.secret-key", settings.security.secret_key
    for name, url in (("redis.url", settings.redis.url), ("broker.url", settings.broker.url)):
        if url:
            with contextlib.suppress(ValueError):
                yield f"the password in {name}", urllib.parse.urlsplit(url).password


class SecretGuard:
    """The session's scanner and the patches that feed it (see the module docstring)."""

    def __init__(self) -> None:
        self.scanner = LeakScanner()
        self.handler = LogCapture(self.scanner)
        self.stderr_dir = Path(tempfile.mkdtemp(prefix="imbridge-secret-guard-"))
        self.stderr_files: list[tuple[Path, str]] = []
        self._undo: list[Callable[[], None]] = []
        self._root_level: int | None = None

    # -- wiring --------------------------------------------------------------------------------------------

    def _patch(self, owner: Any, name: str, make: Callable[[Any], Any]) -> None:
        original = getattr(owner, name)
        setattr(owner, name, make(original))
        self._undo.append(lambda: setattr(owner, name, original))

    def start(self) -> None:
        root = logging.getLogger()
        root.addHandler(self.handler)
        self._root_level = root.level
        if root.level > logging.INFO or root.level == logging.NOTSET:
            root.setLevel(logging.INFO)  # what the imbridge processes log at
        from platforms.redaction import install_httpx_redaction

        install_httpx_redaction()  # as every process with a platform client has it, whatever ran first
        self._patch_sources()
        self._patch_sinks()

    def stop(self) -> None:
        logging.getLogger().removeHandler(self.handler)
        if self._root_level is not None:
            logging.getLogger().setLevel(self._root_level)
        for undo in reversed(self._undo):
            undo()
        self.read_stderr()
        shutil.rmtree(self.stderr_dir, ignore_errors=True)

    def read_stderr(self) -> None:
        """Capture what the started processes wrote to stderr so far."""
        for path, command in self.stderr_files:
            with contextlib.suppress(OSError):
                self.scanner.capture(path.read_text(errors="replace"), f"the stderr of {command}")

    def _patch_sources(self) -> None:
        import config.loader  # patched before anything imports ``load_settings`` from it

        register = self.scanner.register

        def loading(original):
            @functools.wraps(original)
            def load_settings(*args, **kwargs):
                settings = original(*args, **kwargs)
                for kind, value in _settings_secrets(settings):
                    register(kind, value)
                return settings
            return load_settings

        self._patch(config.loader, "load_settings", loading)
        self._patch(config, "load_settings", lambda _: config.loader.load_settings)

        import models.api_clients
        import sandbox.journal
        import sandbox.robots
        import sandbox.tokens

        def creating(original):
            @functools.wraps(original)
            def create_api_client(*args, **kwargs):
                client, key = original(*args, **kwargs)
                register("API key", key)
                return client, key
            return create_api_client

        self._patch(models.api_clients, "create_api_client", creating)

        def issuing(original):
            @functools.wraps(original)
            def issue(*args, **kwargs):
                token, expires_in = original(*args, **kwargs)
                register("platform access token (sandbox-issued)", token)
                return token, expires_in
            return issue

        # Every way the sandbox hands out a token (each answers ``(token, expires_in)``).
        for name in ("issue_classic", "issue_stable", "force_refresh_stable", "issue_reusable"):
            self._patch(sandbox.tokens.TokenRegistry, name, issuing)

        def journaling(original):
            @functools.wraps(original)
            def record(journal, entry, *args, **kwargs):
                for kind, value in _journal_secrets(entry):
                    register(kind, value)
                return original(journal, entry, *args, **kwargs)
            return record

        self._patch(sandbox.journal.Journal, "record", journaling)

        def adding(original):
            @functools.wraps(original)
            def add(registry, robot, *args, **kwargs):
                register("robot access token or webhook key", robot.token)
                register("robot signing secret", robot.secret)
                return original(registry, robot, *args, **kwargs)
            return add

        self._patch(sandbox.robots.RobotRegistry, "add", adding)

        import imbridge.embedded_redis

        def starting(original):
            @functools.wraps(original)
            def start(server, *args, **kwargs):
                result = original(server, *args, **kwargs)
                register("embedded Valkey password", server.password)
                return result
            return start

        self._patch(imbridge.embedded_redis.EmbeddedRedis, "start", starting)

    def _patch_sinks(self) -> None:
        import falcon.testing.client

        scanner = self.scanner

        def simulating(original):
            @functools.wraps(original)
            def simulate_request(app, method="GET", path="/", *args, **kwargs):
                for kind, value in _request_secrets(path, kwargs):
                    scanner.register(kind, value)
                result = original(app, method, path, *args, **kwargs)
                if _is_ingress(app):
                    route = re.sub(r"/\d+(?=/|$)", "/{id}", path)
                    exempt = EXEMPT.get((method.upper(), path), set())
                    body = result.content.decode(result.encoding or "utf-8", "replace")  # bytes served too
                    scanner.capture(body, f"the response to {method.upper()} {route}", exempt)
                return result
            return simulate_request

        self._patch(falcon.testing.client, "simulate_request", simulating)

        guard = self

        def popen_init(original):
            @functools.wraps(original)
            def __init__(process, args, *rest, **kwargs):
                command = " ".join(map(str, args)) if isinstance(args, list | tuple) else str(args)
                if "imbridge" in command:
                    for name, value in (kwargs.get("env") or {}).items():
                        if _SECRET_ENV.search(name):
                            scanner.register(f"the process environment's {name}", value)
                    if kwargs.get("stderr") == subprocess.DEVNULL:
                        path = guard.stderr_dir / f"stderr-{len(guard.stderr_files)}.log"
                        guard.stderr_files.append((path, command.split(" -m ", 1)[-1][:60]))
                        with path.open("wb") as kwargs["stderr"]:  # the child keeps its own copy
                            return original(process, args, *rest, **kwargs)
                return original(process, args, *rest, **kwargs)
            return __init__

        self._patch(subprocess.Popen, "__init__", popen_init)


GUARD = pytest.StashKey[SecretGuard]()
LEAKS = pytest.StashKey[list[str]]()
#: Under pytest-xdist: what each worker's guard found, reported to the controller (which prints for all).
WORKERS = pytest.StashKey[list[dict[str, Any]]]()


def pytest_configure(config: pytest.Config) -> None:
    guard = SecretGuard()
    guard.start()
    config.stash[GUARD] = guard
    config.stash[WORKERS] = []


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """Name the running test in what the scanner captures from now on."""
    guard = item.config.stash.get(GUARD, None)
    if guard is not None:
        guard.scanner.current_test = item.nodeid


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist: a worker finished; keep what its guard found."""
    found = getattr(node, "workeroutput", {}).get("secret_guard")
    if found is not None:
        node.config.stash[WORKERS].append(found)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    guard = config.stash.get(GUARD, None)
    if guard is None:
        return
    guard.stop()
    leaks = [str(leak) for leak in guard.scanner.leaks()]
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: the controller judges and reports
        workeroutput["secret_guard"] = {"leaks": leaks, "secrets": len(guard.scanner.secrets),
                                        "texts": len(guard.scanner.texts)}
    leaks += [leak for found in config.stash[WORKERS] for leak in found["leaks"]]
    config.stash[LEAKS] = leaks
    if leaks:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    guard = config.stash.get(GUARD, None)
    if guard is None:
        return
    leaks = config.stash.get(LEAKS, [])
    workers = config.stash.get(WORKERS, [])
    secrets = len(guard.scanner.secrets) + sum(found["secrets"] for found in workers)
    texts = len(guard.scanner.texts) + sum(found["texts"] for found in workers)
    if leaks:
        terminalreporter.section("secret leaks", red=True)
        for leak in leaks:
            terminalreporter.line(f"LEAK: {leak}", red=True)
    else:
        terminalreporter.line(f"secret guard: {secrets} secrets, {texts} distinct log lines, responses and stderr "
                              "captures: no leak")
