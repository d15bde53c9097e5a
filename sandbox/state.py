"""Everything the fake platforms remember, behind one lock.

The sandbox runs as one process with many threads (granian's WSGI threads), so injected latency on one
request does not hold up the others. Handlers are short and never block, so they simply run under
:attr:`SandboxState.lock`; sleeping for injected latency or timeouts happens outside it.
"""

from __future__ import annotations

import threading
from typing import Any

from config import Settings
from sandbox.clock import Clock
from sandbox.credentials import Credentials
from sandbox.deliveries import Deliveries
from sandbox.dingtalk.store import DingTalkStore
from sandbox.faults import FaultInjector
from sandbox.journal import Journal
from sandbox.media import MediaStore
from sandbox.options import SandboxOptions
from sandbox.pushes import Pushes
from sandbox.ratelimit import SlidingWindowLimiter
from sandbox.robots import RobotRegistry
from sandbox.tokens import TokenRegistry
from sandbox.web_login_store import WebLoginStore
from sandbox.wechat.store import WeChatStore
from sandbox.wecom.store import WeComStore


class SandboxState:
    """The fake platforms' memory and knobs.

    :param credentials: the apps the platforms know (see :meth:`from_settings`).
    :param options: the unpleasantness settings; a reset returns to these.
    :param clock: the sandbox's time (tests move it forward instead of sleeping).
    :param seed: seeds fault injection, for reproducible runs.
    :param pushes: the callbacks the sandbox posts by itself (signed with the settings' account); none without.

    Example::

        state = SandboxState.from_settings(settings, SandboxOptions(token_lifetime_seconds=5))
        app = create_app(settings, state)
    """

    def __init__(self, credentials: Credentials, options: SandboxOptions | None = None, *,
                 clock: Clock | None = None, seed: int | None = None, pushes: Pushes | None = None) -> None:
        self.credentials = credentials
        self.baseline = options or SandboxOptions()
        self.options = self.baseline
        self.clock = clock or Clock()
        self.lock = threading.RLock()
        self.faults = FaultInjector(seed)
        self.journal = Journal(self.options.journal_limit)
        self.pushes = pushes or Pushes(None)
        self._fresh()

    @classmethod
    def from_settings(cls, settings: Settings, options: SandboxOptions | None = None,
                      **kwargs: Any) -> SandboxState:
        kwargs.setdefault("pushes", Pushes(settings))
        return cls(Credentials.from_settings(settings), options, **kwargs)

    def _fresh(self) -> None:
        self.tokens = TokenRegistry(self.clock)
        self.robots = RobotRegistry()
        self.robot_limits = SlidingWindowLimiter()
        self.member_limits = SlidingWindowLimiter()
        self.member_hourly_limits = SlidingWindowLimiter()
        self.media = MediaStore()
        self.deliveries = Deliveries(self.options.deliveries_limit)
        self.wechat = WeChatStore()
        self.wecom = WeComStore(self.clock)
        self.dingtalk = DingTalkStore(self.clock)
        self.web_logins = WebLoginStore()

    def now(self) -> float:
        return self.clock.now()

    def configure(self, changes: dict[str, Any]) -> SandboxOptions:
        """Apply a partial options update (``ValueError`` when invalid); returns the new options."""
        with self.lock:
            self.options = self.options.updated(changes)
            self.journal.resize(self.options.journal_limit)
            self.deliveries.resize(self.options.deliveries_limit)
            return self.options

    def reset(self) -> None:
        """Back to a just-started sandbox: baseline options, demo data, no faults, empty journal."""
        with self.lock:
            self.options = self.baseline
            self.pushes.cancel()
            self.clock.reset()
            self._fresh()
            self.faults.clear()
            self.journal.clear(self.options.journal_limit)

    def ip_blocked(self, platform: str) -> bool:
        return platform in self.options.ip_whitelist_fail
