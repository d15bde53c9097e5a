"""When to try again, and when to give up: the one retry policy of notifications, jobs, webhooks and reports.

A delay is exponential back-off with jitter, capped: after the n-th failure the ceiling is ``base * 2**(n-1)``
(at most ``max_seconds``) and the delay lies between half the ceiling and the ceiling (half fixed, half random,
so the retries of many rows failed by one outage spread out instead of returning together); never sooner than
the platform asked (``Retry-After``). A policy may instead name its delays outright (:meth:`RetryPolicy.schedule`:
a few fixed waits, no jitter). The budget is a number of failed attempts and/or an age. Every figure is seconds;
each settings section is turned into a policy here, once.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from config.settings import JobsSettings, NotificationsSettings, WebhooksSettings

#: The doubling stops growing after this many failures (the ceiling is ``max_seconds`` long before).
MAX_EXPONENT = 32


@dataclass(frozen=True)
class RetryPolicy:
    """One back-off and one budget.

    :param base_seconds: the ceiling of the first delay; it doubles with every further failure.
    :param max_seconds: no ceiling exceeds this.
    :param max_attempts: give up once this many attempts failed; None: no limit.
    :param max_age_seconds: give up when the next attempt would fall this long after the budget started; None: no
        limit.
    :param delays: fixed delays (seconds) after the first, second... failure, the last repeated; when given they
        replace the doubling and its jitter.

    >>> policy = RetryPolicy(base_seconds=1, max_seconds=8, max_attempts=5)
    >>> 2 <= policy.delay(3) <= 4
    True
    """

    base_seconds: float = 2.0
    max_seconds: float = 600.0
    max_attempts: int | None = 10
    max_age_seconds: float | None = 86400.0
    delays: tuple[float, ...] = ()

    @classmethod
    def from_settings(cls, section: NotificationsSettings | JobsSettings) -> RetryPolicy:
        """``notifications.*`` or ``jobs.*``: ``backoff-base-seconds``, ``backoff-max-seconds``, ``max-attempts``,
        ``max-age-seconds``."""
        return cls(section.backoff_base_seconds, section.backoff_max_seconds, section.max_attempts,
                   section.max_age_seconds)

    @classmethod
    def for_webhooks(cls, section: WebhooksSettings) -> RetryPolicy:
        """``webhooks.*``: at least ``min-backoff-ms`` before the first retry, doubling, at most ``max-backoff-ms``.

        ``min-backoff-ms`` is the least wait (it was Dramatiq's back-off factor), so it is half the first ceiling.
        """
        return cls(base_seconds=2 * section.min_backoff_ms / 1000, max_seconds=section.max_backoff_ms / 1000,
                   max_attempts=section.max_attempts, max_age_seconds=None)

    @classmethod
    def schedule(cls, *delays: float) -> RetryPolicy:
        """A fixed schedule: wait ``delays[0]`` after the first failure, and so on; give up after the last try."""
        if not delays:
            raise ValueError("a schedule needs at least one delay")
        return cls(base_seconds=delays[0], max_seconds=max(delays), max_attempts=len(delays) + 1,
                   max_age_seconds=None, delays=tuple(delays))

    def delay(self, failed_attempts: int, retry_after: float | None = None,
              rng: random.Random | None = None) -> float:
        """Seconds before the next try after ``failed_attempts`` failures (1 for the first)."""
        if self.delays:
            fixed = self.delays[min(max(failed_attempts, 1), len(self.delays)) - 1]
            return max(fixed, retry_after or 0.0)
        ceiling = min(self.max_seconds, self.base_seconds * 2 ** min(max(failed_attempts - 1, 0), MAX_EXPONENT))
        jittered = ceiling / 2 + (rng or random).uniform(0, ceiling / 2)
        return max(jittered, retry_after or 0.0)

    def give_up(self, failed_attempts: int, budget_started_at: datetime | None = None,
                next_attempt_at: datetime | None = None) -> str | None:
        """Why to stop trying (the row is given up), or None to try again at ``next_attempt_at``."""
        if self.max_attempts is not None and failed_attempts >= self.max_attempts:
            return f"gave up after {failed_attempts} failed attempts"
        if (self.max_age_seconds is not None and budget_started_at is not None and next_attempt_at is not None
                and next_attempt_at - budget_started_at > timedelta(seconds=self.max_age_seconds)):
            return f"gave up: not sent within {self.max_age_seconds:g} s"
        return None
