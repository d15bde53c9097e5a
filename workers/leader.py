"""The leader of ``imbridge worker --processes N`` (N >= 2): Dramatiq's main process, which forks the worker
processes and watches them (with one process, the default under ``imbridge up``, the worker runs in the command's
own process instead: :mod:`workers.process`).

``imbridge worker`` loads and checks the settings, names the metrics directory, and then becomes this module
(:func:`become_leader`: ``exec``, the same pid). The leader only forks, relays logs and stops: it imports
Dramatiq's command line and (with ``--metrics-port``) prometheus_client, not the settings (pydantic) nor anything
of the app, so it holds about 12 MB where it held 23 (``bench/memory.py``). Each worker process imports
``workers.main`` (settings, broker, actors) itself.

    python -m workers.leader [--metrics-port P] [--metrics-host H] -- <dramatiq's arguments>
"""

from __future__ import annotations

import argparse
import os
import sys


def become_leader(dramatiq_argv: list[str], metrics_port: int = 0, metrics_host: str = "127.0.0.1") -> None:
    """Replace this process with the leader (does not return)."""
    argv = [sys.executable, "-m", "workers.leader"]
    if metrics_port:
        argv += ["--metrics-port", str(metrics_port), "--metrics-host", metrics_host]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [*argv, "--", *dramatiq_argv])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="workers.leader")
    parser.add_argument("--metrics-port", type=int, default=0)
    parser.add_argument("--metrics-host", default="127.0.0.1")
    parser.add_argument("dramatiq", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.metrics_port:
        from core.metrics_dir import serve_metrics

        serve_metrics(args.metrics_port, args.metrics_host)
    from dramatiq.cli import main as dramatiq_main
    from dramatiq.cli import make_argument_parser

    dramatiq_argv = args.dramatiq[1:] if args.dramatiq[:1] == ["--"] else args.dramatiq
    # On SIGHUP Dramatiq's leader starts itself again with ``execvp(sys.argv[0], sys.argv)``; under ``python -m``
    # argv[0] is this file, which is no program: name the interpreter and the module instead.
    sys.argv = [sys.executable, "-m", "workers.leader", *argv]
    return dramatiq_main(make_argument_parser().parse_args(dramatiq_argv)) or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
