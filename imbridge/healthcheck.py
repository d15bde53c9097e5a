"""``imbridge healthcheck``: the container engine's question "is this part working?", answered by its exit status.

The ingress is asked over HTTP (``/readyz``: it answers, and reaches Redis and the database); a worker or a
scheduler serves nothing, so for them (``--dependencies``) the question is whether this container reaches Redis
and the database. Exit 0: healthy; 1: not, with the reason on stderr.
"""

from __future__ import annotations

import sys

from config import Settings

#: Seconds before an unanswered check counts as a failure (the engine's own timeout should be longer).
TIMEOUT_SECONDS = 4.0


def ready_problem(url: str) -> str | None:
    import httpx

    try:
        answer = httpx.get(url, timeout=TIMEOUT_SECONDS)
    except httpx.HTTPError as exc:
        return f"{url}: {exc or type(exc).__name__}"
    return None if answer.status_code == 200 else f"{url}: HTTP {answer.status_code} {answer.text[:300]}"


def dependency_problems(settings: Settings) -> list[str]:
    from imbridge.checks import connection_reason, redis_problem
    from models import Database

    problems = []
    if not settings.redis.url:
        problems.append("redis.url is not set")
    elif (found := redis_problem(settings.redis.url)) is not None:
        problems.append(f"redis.url: {found}")
    try:
        database = Database.from_settings(settings)
        try:
            database.ping()
        finally:
            database.dispose()
    except Exception as exc:  # every driver error means the same here: not healthy, and why
        problems.append(f"database.url: cannot connect ({connection_reason(exc, settings.database_url)})")
    return problems


def run(settings: Settings, *, url: str | None, dependencies: bool) -> int:
    if dependencies:
        problems = dependency_problems(settings)
    else:
        found = ready_problem(url or f"http://127.0.0.1:{settings.ingress.port}/readyz")
        problems = [found] if found else []
    for problem in problems:
        print(f"unhealthy: {problem}", file=sys.stderr)
    return 1 if problems else 0
