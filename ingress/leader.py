"""The leader of ``imbridge ingress``: granian's main process, which forks the worker processes and watches them.

``imbridge ingress`` loads and checks the settings, refuses a taken port and names the metrics directory, then
becomes this module (:func:`become_leader`: ``exec``, the same pid) with the server's options on its command line.
The leader imports granian and not the settings (pydantic) nor the app, so it holds about 12 MB where it held 23
(``bench/memory.py``); each worker process loads the settings from the same file and environment and builds the
app (:func:`ingress.server.load_configured_app`).

    python -m ingress.leader --host H --port P --workers N --threads T
"""

from __future__ import annotations

import argparse
import os
import sys

from ingress.server import ServerOptions, lead


def become_leader(options: ServerOptions) -> None:
    """Replace this process with the leader (does not return)."""
    # The worker processes read the settings again: the port chosen on the command line must reach them too.
    os.environ["IMBRIDGE_INGRESS__PORT"] = str(options.port)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, "-m", "ingress.leader", "--host", options.host,
                              "--port", str(options.port), "--workers", str(options.workers),
                              "--threads", str(options.threads)])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="ingress.leader")
    parser.add_argument("--host", required=True)
    for name in ("--port", "--workers", "--threads"):
        parser.add_argument(name, type=int, required=True)
    args = parser.parse_args(argv)
    lead(ServerOptions(args.host, args.port, args.workers, args.threads))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
