"""How hard the fuzzers try: a small, fixed budget in CI, more on demand.

``FUZZ_EXAMPLES=N`` raises every fuzzer's example count to N (``bench/fuzz.py`` sets it); without it
the counts below keep the suite fast. Generation is derandomized either way, so a failure reproduces.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

#: Examples per fuzz test (per API operation for schemathesis) when nothing asks for more.
DEFAULT_EXAMPLES = 25


def examples(default: int = DEFAULT_EXAMPLES) -> int:
    raw = os.environ.get("FUZZ_EXAMPLES", "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else default


def fuzz_settings(default: int = DEFAULT_EXAMPLES) -> settings:
    """Hypothesis settings for a fuzz test: derandomized, no deadline (the machine is shared), no database."""
    return settings(max_examples=examples(default), deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.filter_too_much, HealthCheck.data_too_large])
