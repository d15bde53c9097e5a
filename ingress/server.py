"""Serve the ingress with gunicorn (threads, a few processes): ``imbridge ingress``."""

from __future__ import annotations

import os
import shutil
from typing import Any

from gunicorn.app.base import BaseApplication

from config import Settings


def _forget_worker_metrics(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


class IngressServer(BaseApplication):
    def __init__(self, settings: Settings, options: dict[str, Any] | None = None) -> None:
        self.settings = settings
        self.options = {
            "bind": f"{settings.ingress.host}:{settings.ingress.port}",
            "workers": settings.ingress.workers,
            "worker_class": "gthread",
            "threads": 32,
            "timeout": 60,
            "graceful_timeout": 5,
            "accesslog": None,
            "limit_request_line": 8190,
            "child_exit": _forget_worker_metrics,
            "control_socket_disable": True,
            **(options or {}),
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):  # type: ignore[no-untyped-def]
        from ingress.app import create_app

        return create_app(self.settings)


def serve(settings: Settings) -> None:
    metrics_dir = settings.var_dir.resolve() / "metrics" / f"ingress-{settings.ingress.port}"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    IngressServer(settings).run()
