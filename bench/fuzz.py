"""The fuzzers with a large budget: the portals (generated and mutated callbacks, XML, encodings, query strings)
and every ``/api/v1`` operation through schemathesis, N examples each instead of CI's few.

    python bench/fuzz.py [--examples 100] [--postgres]

Prints the examples run, the time, and the outcome (any 5xx, unhandled exception or error-log line fails).
Redis: ``$REDIS_URL`` (the tests flush that database) or an embedded server; ``--postgres`` also runs on
``$DATABASE_URL``. Generation is derandomized, so a failure found here reproduces with the same budget.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FUZZERS = ["tests/portals/test_fuzz.py", "tests/hostile/test_api_fuzz.py"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=100, help="examples per fuzz test (per API operation)")
    parser.add_argument("--postgres", action="store_true", help="keep $DATABASE_URL (PostgreSQL) as well")
    args = parser.parse_args()
    env = {**os.environ, "FUZZ_EXAMPLES": str(args.examples), "PYTHONPATH": str(ROOT)}
    if not args.postgres:
        env.pop("DATABASE_URL", None)
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "pytest", *FUZZERS, "--hypothesis-show-statistics",
                             "-o", "addopts=", "-q"],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    output = result.stdout + result.stderr
    examples = sum(int(n) for n in re.findall(r"(\d+) passing", output))
    tests = re.search(r"(\d+) passed", output)
    print(f"fuzz: {tests.group(1) if tests else 0} fuzz tests, {examples} examples run in {elapsed:.0f} s "
          f"({examples / elapsed:.0f} examples/s), budget {args.examples} per test")
    if result.returncode != 0:
        print(output[-4000:])
        raise SystemExit("fuzzing found a failure (above)")
    print("no 5xx, no unhandled exception, nothing in the error log")


if __name__ == "__main__":
    main()
