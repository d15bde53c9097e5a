"""Where a process's Prometheus metrics live: the multiprocess directory, set before prometheus_client is imported.

prometheus_client chooses between in-memory values and files in ``PROMETHEUS_MULTIPROC_DIR`` when it is first
imported; a process that forks workers (the ingress, a Dramatiq worker) must name the directory first, so that
every process writes its numbers there and a scrape adds them up.

- Under ``imbridge up`` every child writes to one directory (``var/metrics/up``, emptied by ``up`` as it
  starts): the ingress's ``/metrics`` shows the workers' and the scheduler's numbers too.
- Run on their own (on other machines), ``imbridge ingress`` keeps ``var/metrics/ingress-<port>`` and serves it
  at ``/metrics``; ``imbridge worker`` and ``imbridge scheduler`` keep ``var/metrics/<name>-<pid>`` and serve it
  on ``--metrics-port`` (off by default).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

#: The environment variable prometheus_client reads.
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def use_metrics_dir(var_dir: Path, name: str) -> Path:
    """The multiprocess directory this process and its children write to: the one named in the environment (its
    owner emptied it), else ``var/metrics/<name>``, emptied now. Call before importing prometheus_client."""
    if "prometheus_client" in sys.modules:
        raise RuntimeError(f"prometheus_client was imported before {MULTIPROC_ENV} was set: "
                           "the metrics would count only the process that serves them")
    given = os.environ.get(MULTIPROC_ENV)
    if given:
        Path(given).mkdir(mode=0o700, parents=True, exist_ok=True)
        return Path(given)
    return fresh_metrics_dir(var_dir.resolve() / "metrics" / name)


def fresh_metrics_dir(path: Path) -> Path:
    """``path`` emptied (a predecessor's files would be added to this run's), named in the environment."""
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(mode=0o700, parents=True)
    os.environ[MULTIPROC_ENV] = str(path)
    return path


def serve_metrics(port: int, host: str = "127.0.0.1") -> None:
    """Serve the directory's metrics (every process's, added up) on ``host:port`` from a daemon thread."""
    from prometheus_client import CollectorRegistry, multiprocess, start_http_server

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    start_http_server(port, addr=host, registry=registry)
