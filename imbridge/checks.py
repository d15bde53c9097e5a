"""``imbridge config check``: the effective settings, secrets masked, and what cannot work."""

from __future__ import annotations

import sys

import yaml

from config import Settings, masked_dump


def problems_with(settings: Settings) -> list[str]:
    """What loading could not see: reachability of the database and Redis."""
    from models import Database

    problems = []
    try:
        database = Database.from_settings(settings)
        database.ping()
        database.dispose()
    except Exception as exc:  # every driver error means the same to an operator
        problems.append(f"database.url: cannot connect ({type(exc).__name__}: {str(exc).splitlines()[0][:200]})")
    if settings.redis.url:
        import redis

        try:
            redis.Redis.from_url(settings.redis.url, socket_connect_timeout=3).ping()
        except Exception as exc:
            problems.append(f"redis.url: cannot connect ({type(exc).__name__})")
    return problems


def check_settings(settings: Settings) -> int:
    print(yaml.safe_dump(masked_dump(settings), sort_keys=False, allow_unicode=True), end="")
    problems = problems_with(settings)
    if problems:
        print("\nProblems:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print("\nconfiguration OK")
    return 0
