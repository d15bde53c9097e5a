"""When to try a failed delivery again, and when to give up.

Exponential back-off with jitter (half fixed, half random, so retries of many deliveries failed by one outage
spread out instead of returning together), never sooner than the platform asked, within a budget of failed
attempts and of age.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from config.settings import NotificationsSettings


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: float = 2.0
    max_seconds: float = 600.0
    max_attempts: int = 10
    max_age_seconds: float = 86400.0

    @classmethod
    def from_settings(cls, settings: NotificationsSettings) -> RetryPolicy:
        return cls(settings.backoff_base_seconds, settings.backoff_max_seconds, settings.max_attempts,
                   settings.max_age_seconds)

    def delay(self, failed_attempts: int, retry_after: float | None = None,
              rng: random.Random | None = None) -> float:
        """Seconds before the next try after ``failed_attempts`` failures (1 for the first)."""
        ceiling = min(self.max_seconds, self.base_seconds * 2 ** max(failed_attempts - 1, 0))
        jittered = ceiling / 2 + (rng or random).uniform(0, ceiling / 2)
        return max(jittered, retry_after or 0.0)

    def give_up(self, failed_attempts: int, budget_started_at: datetime, next_attempt_at: datetime) -> str | None:
        """Why this delivery should be given up (``dead``), or None to try again."""
        if failed_attempts >= self.max_attempts:
            return f"gave up after {failed_attempts} failed attempts"
        if next_attempt_at - budget_started_at > timedelta(seconds=self.max_age_seconds):
            return f"gave up: not sent within {self.max_age_seconds:g} s"
        return None
