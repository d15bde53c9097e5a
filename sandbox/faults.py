"""Injected faults: what the platforms do on a bad day.

A rule names an endpoint pattern (``fnmatch`` on the full path, e.g. ``/wechat/cgi-bin/message/*``), a kind and
a rate (the chance that a matching request is hit):

* ``latency`` - wait ``latency_ms`` first, then answer normally (several latency rules add up); with
  ``after: true`` the platform acts at once and only its answer is late (what a caller sees as a slow answer to
  a send that went through: the send's callbacks may come first). Removing the rule lets the wait end at once;
* ``errcode`` - answer HTTP 200 ``{"errcode": -1, "errmsg": "system error"}`` (or any ``errcode``/``errmsg``);
* ``http`` - answer HTTP ``status`` (503 by default) with a gateway's HTML page;
* ``timeout`` - hold the request ``hold_seconds`` (30 by default), longer than any client waits, then 504.
  Held requests are let go at once by a reset or by removing the rule, so a test never waits them out;
* ``flow_control`` - DingTalk's gateway throttling: HTTP 200 ``{"status": 1111, "wait": wait, "punish": "deny"}``
  (``wait`` 5 by default), no errcode;
* ``page`` - HTTP 200 with an HTML page (a proxy's login or error page, or the gateway's throttle page);
* ``body`` - HTTP 200 with any JSON ``body`` (an answer in no documented shape).

``times`` limits how often a rule fires (``1``: only the next matching request), which makes a fault
deterministic when ``rate`` is 1.
"""

from __future__ import annotations

import fnmatch
import itertools
import random
import threading
from dataclasses import asdict, dataclass
from typing import Any, Literal

FaultKind = Literal["latency", "errcode", "http", "timeout", "flow_control", "page", "body"]
KINDS = ("latency", "errcode", "http", "timeout", "flow_control", "page", "body")

#: Accepted spellings of a kind.
_KIND_ALIASES = {"busy": "errcode", "system_busy": "errcode", "http_error": "http", "5xx": "http",
                 "hold": "timeout", "throttle": "flow_control", "html": "page"}


@dataclass
class FaultRule:
    id: int
    pattern: str
    kind: FaultKind
    rate: float = 1.0
    latency_ms: int = 100
    #: ``latency``: hold the answer after the platform acted, not the request before.
    after: bool = False
    errcode: int = -1
    errmsg: str = "system error"
    status: int = 503
    hold_seconds: float = 30.0
    #: ``flow_control``: the ``wait`` (seconds) the gateway names.
    wait: float = 5
    #: ``body``: the JSON answered.
    body: Any = None
    times: int | None = None
    hits: int = 0

    def describe(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class FaultPlan:
    """What to do to one request: sleep, then maybe answer instead of the handler."""

    delay_seconds: float = 0.0
    terminal: FaultRule | None = None
    #: Held after the handler ran, before the answer goes out.
    late_seconds: float = 0.0


class FaultInjector:
    """Holds the rules and decides, per request, which fire. Thread-safe on its own.

    :param seed: seeds the random draws, for reproducible runs.
    """

    def __init__(self, seed: int | None = None) -> None:
        self._lock = threading.Lock()
        self._rules: dict[int, FaultRule] = {}
        self._ids = itertools.count(1)
        self._random = random.Random(seed)
        self._release = threading.Event()

    def add(self, spec: dict[str, Any]) -> FaultRule:
        """Add a rule from its JSON spec (``ValueError`` when it makes no sense)."""
        spec = dict(spec)
        kind = _KIND_ALIASES.get(spec.get("kind", ""), spec.get("kind"))
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}")
        if not isinstance(spec.get("pattern"), str) or not spec["pattern"]:
            raise ValueError("pattern (a glob on the request path) is required")
        known = set(FaultRule.__dataclass_fields__) - {"id", "hits", "kind"}
        unknown = set(spec) - known - {"kind"}
        if unknown:
            raise ValueError(f"unknown fields {sorted(unknown)}")
        spec.pop("kind")
        rule = FaultRule(id=0, kind=kind, **spec)
        if not 0.0 <= float(rule.rate) <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        if kind == "http" and not 400 <= int(rule.status) <= 599:
            raise ValueError("status must be an HTTP error status")
        if kind == "body" and rule.body is None:
            raise ValueError("a body fault needs the JSON body to answer")
        with self._lock:
            rule.id = next(self._ids)
            self._rules[rule.id] = rule
        return rule

    def remove(self, rule_id: int) -> bool:
        with self._lock:
            found = self._rules.pop(rule_id, None) is not None
        self._let_go()
        return found

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
        self._let_go()

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules.values())

    def plan(self, path: str) -> FaultPlan:
        """Draw the faults for a request to ``path``."""
        delay = late = 0.0
        terminal: FaultRule | None = None
        with self._lock:
            for rule in self._rules.values():
                if not fnmatch.fnmatchcase(path, rule.pattern):
                    continue
                if rule.kind != "latency" and terminal is not None:
                    continue
                if rule.times is not None and rule.hits >= rule.times:
                    continue
                if self._random.random() >= rule.rate:
                    continue
                rule.hits += 1
                if rule.kind == "latency" and rule.after:
                    late += rule.latency_ms / 1000
                elif rule.kind == "latency":
                    delay += rule.latency_ms / 1000
                else:
                    terminal = rule
        return FaultPlan(delay, terminal, late)

    def hold(self, seconds: float) -> None:
        """Block like a request the platform never answers, until ``seconds`` pass or the rules change."""
        with self._lock:
            event = self._release
        event.wait(seconds)

    def release(self) -> None:
        """Let every held request go now (the rules stay)."""
        self._let_go()

    def _let_go(self) -> None:
        with self._lock:
            self._release.set()
            self._release = threading.Event()
