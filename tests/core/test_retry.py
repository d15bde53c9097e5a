"""The one retry policy: its delays (doubling, capped, jittered within known bounds, never before Retry-After),
its budget, and the policies each settings section and the template reports make of it."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from config.settings import JobsSettings, NotificationsSettings, WebhooksSettings
from core.retry import RetryPolicy
from models.base import utcnow


class Extreme(random.Random):
    """A random source that always draws the low (or high) end of a range: the jitter's bounds, exactly."""

    def __init__(self, high: bool) -> None:
        super().__init__()
        self.high = high

    def uniform(self, a: float, b: float) -> float:
        return b if self.high else a


LOW, HIGH = Extreme(False), Extreme(True)


def test_delays_double_within_half_the_ceiling_and_the_ceiling_up_to_the_cap():
    policy = RetryPolicy(base_seconds=1, max_seconds=8)
    assert [policy.delay(n, rng=HIGH) for n in range(1, 7)] == [1, 2, 4, 8, 8, 8]
    assert [policy.delay(n, rng=LOW) for n in range(1, 7)] == [0.5, 1, 2, 4, 4, 4]
    for n in range(1, 12):
        ceiling = min(8, 2 ** (n - 1))
        assert ceiling / 2 <= policy.delay(n) <= ceiling


def test_the_jitter_spreads_retries_of_one_outage():
    policy = RetryPolicy(base_seconds=10, max_seconds=600)
    assert len({policy.delay(3) for _ in range(20)}) > 1


def test_a_platforms_retry_after_is_never_undercut():
    policy = RetryPolicy(base_seconds=1, max_seconds=8)
    assert policy.delay(1, retry_after=60) == 60
    assert policy.delay(4, retry_after=0.1, rng=LOW) == 4


def test_a_very_long_run_of_failures_stays_at_the_cap():
    policy = RetryPolicy(base_seconds=2, max_seconds=600, max_attempts=None)
    assert 300 <= policy.delay(5000) <= 600


def test_the_budget_counts_failed_attempts_and_age():
    policy = RetryPolicy(base_seconds=1, max_seconds=8, max_attempts=10, max_age_seconds=60)
    now = utcnow()
    assert policy.give_up(9, now, now + timedelta(seconds=30)) is None
    assert policy.give_up(10, now, now) == "gave up after 10 failed attempts"
    assert policy.give_up(2, now, now + timedelta(seconds=61)) == "gave up: not sent within 60 s"


def test_a_budget_without_a_limit_never_runs_out():
    now = utcnow()
    assert RetryPolicy(max_attempts=None, max_age_seconds=None).give_up(1000, now, now + timedelta(days=30)) is None
    assert RetryPolicy(max_attempts=3, max_age_seconds=None).give_up(2, now, now + timedelta(days=30)) is None


def test_a_fixed_schedule_waits_as_written_and_gives_up_after_its_last_try():
    reports = RetryPolicy.schedule(5, 60, 600)
    assert [reports.delay(n) for n in (1, 2, 3)] == [5, 60, 600]
    assert [reports.give_up(n) for n in (1, 2, 3)] == [None, None, None]
    assert reports.give_up(4) == "gave up after 4 failed attempts"  # the first try and three retries
    with pytest.raises(ValueError):
        RetryPolicy.schedule()


def test_notifications_and_jobs_take_their_sections_figures():
    notifications = RetryPolicy.from_settings(NotificationsSettings())
    assert (notifications.base_seconds, notifications.max_seconds, notifications.max_attempts,
            notifications.max_age_seconds) == (2.0, 600.0, 10, 86400.0)
    jobs = RetryPolicy.from_settings(JobsSettings(backoff_base_seconds=0.5, max_attempts=3))
    assert (jobs.base_seconds, jobs.max_seconds, jobs.max_attempts, jobs.max_age_seconds) == (0.5, 60.0, 3, 3600.0)


def test_webhooks_wait_at_least_min_backoff_and_at_most_max_backoff_as_dramatiqs_back_off_did():
    """Dramatiq's back-off (``dramatiq.common.compute_backoff``) waited between ``min * 2**r`` and twice that
    before retry ``r`` (0 first), at most ``max``: the policy built from ``webhooks.*`` keeps those bounds."""
    policy = RetryPolicy.for_webhooks(WebhooksSettings(min_backoff_ms=2000, max_backoff_ms=600_000, max_attempts=8))
    for failed in range(1, 8):
        floor = 2.0 * 2 ** (failed - 1)
        if 2 * floor <= 600:
            assert (policy.delay(failed, rng=LOW), policy.delay(failed, rng=HIGH)) == (floor, 2 * floor)
        assert policy.delay(failed) <= 600
    assert (policy.give_up(7), policy.give_up(8)) == (None, "gave up after 8 failed attempts")
    assert policy.give_up(1, utcnow() - timedelta(days=365), utcnow()) is None  # no age limit
