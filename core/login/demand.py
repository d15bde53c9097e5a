"""How many login codes the pool should hold: as many as visitors asked for lately, within bounds.

Every code costs a ``qrcode/create`` call against the account's quota, and a pooled code nobody takes is
thrown away when it wears out. So the pool follows demand: its target is the number of ``applyQrCode``
calls seen in the last ``login.pool-demand-window-seconds`` (enough for the next window at the same
rate), never below ``login.pool-min-size`` nor above ``login.pool-size``. While nobody applies, top-ups
are further capped at ``login.pool-idle-codes-per-hour`` codes in any hour, whatever the other settings.

Pure arithmetic, no Redis: :class:`core.login.pool.QrPool` counts applies and mints, the scheduler's
top-up and ``applyQrCode`` ask :class:`PoolDemand` what to do with the counts.
"""

from __future__ import annotations

from dataclasses import dataclass

from config.settings import LoginSettings

#: The idle cap counts the codes minted in this many seconds.
IDLE_BUDGET_SECONDS = 3600


@dataclass(frozen=True)
class PoolDemand:
    """The pool's bounds and budget (``login.pool-*``)."""

    min_size: int
    max_size: int
    window_seconds: float
    idle_codes_per_hour: int

    @classmethod
    def from_settings(cls, login: LoginSettings) -> PoolDemand:
        return cls(min_size=login.pool_min_size, max_size=login.pool_size,
                   window_seconds=login.pool_demand_window_seconds,
                   idle_codes_per_hour=login.pool_idle_codes_per_hour)

    def target(self, recent_applies: int) -> int:
        """The size the pool should have after ``recent_applies`` applies in the window."""
        return max(self.min_size, min(self.max_size, recent_applies))

    def shortfall(self, size: int, recent_applies: int, minted_last_hour: int) -> int:
        """Codes to mint now: up to the target, and, with no apply in the window, within the idle budget."""
        wanted = max(0, self.target(recent_applies) - size)
        if recent_applies == 0:
            wanted = min(wanted, max(0, self.idle_codes_per_hour - minted_last_hour))
        return wanted

    def running_low(self, size: int, recent_applies: int) -> bool:
        """True when an apply should ask for a top-up at once instead of waiting for the scheduler."""
        return size * 2 < self.target(recent_applies)
