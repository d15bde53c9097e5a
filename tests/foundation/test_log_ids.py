"""Logging: one ``grep <id>`` follows a notification through the ingress, the scheduler and a worker (separate
processes, JSON lines); levels per logger and the text format come from the settings."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx

from models import Database, Scope
from models.api_clients import create_api_client
from tests.conftest import free_port
from tests.waiting import stop_group, wait_for, wait_until_up

ROOT = Path(__file__).resolve().parents[2]


def lines_about(log: Path, delivery_id: str) -> list[dict]:
    """The JSON lines of ``log`` that mention ``delivery_id`` anywhere (what a grep finds), parsed."""
    return [json.loads(line) for line in log.read_text(errors="replace").splitlines() if delivery_id in line]


def test_one_grep_follows_a_notification_through_ingress_scheduler_and_worker(tmp_path, redis_url, sqlite_url):
    refused = free_port()  # the "platform": nothing listens, so every send is retried
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "IMBRIDGE_REDIS__URL": redis_url,
           "IMBRIDGE_DATABASE__URL": sqlite_url, "IMBRIDGE_VAR_DIR": str(tmp_path / "var"),
           "IMBRIDGE_SECURITY__SECRET_KEY": "log-test-secret", "IMBRIDGE_SANDBOX__ENABLED": "false",
           "IMBRIDGE_INGRESS__PORT": str(port), "IMBRIDGE_INGRESS__WORKERS": "1",
           "IMBRIDGE_THIRD__DING_TALK__API_BASE_URL": f"http://127.0.0.1:{refused}",
           "IMBRIDGE_NOTIFICATIONS__OUTBOX_CHECK_SECONDS": "0.5", "IMBRIDGE_NOTIFICATIONS__OUTBOX_GRACE_SECONDS": "1",
           "IMBRIDGE_LOGGING__FORMAT": "json"}
    database = Database(sqlite_url)
    with database.session() as session:
        _, key = create_api_client(session, "logs", Scope.ADMIN)
    database.dispose()
    logs = {name: tmp_path / f"{name}.log" for name in ("ingress", "scheduler", "worker")}
    commands = {"ingress": ["ingress"], "scheduler": ["scheduler"],
                "worker": ["worker", "--processes", "1", "--threads", "1"]}
    processes: dict[str, subprocess.Popen] = {}

    def start(name: str) -> subprocess.Popen:
        with logs[name].open("wb") as out:
            processes[name] = subprocess.Popen([sys.executable, "-m", "imbridge", *commands[name]], env=env,
                                               stdout=subprocess.DEVNULL, stderr=out, start_new_session=True)
        return processes[name]

    try:
        wait_until_up(f"http://127.0.0.1:{port}", start("ingress"), log=logs["ingress"])
        api = httpx.Client(base_url=f"http://127.0.0.1:{port}/api/v1", headers={"Authorization": f"Bearer {key}"})
        api.post("/robots/dingtalk", json={"code": "ops", "name": "ops", "accessToken": "tok-logs"}).raise_for_status()
        answer = api.post("/notifications", json={"channel": "dingtalk_robot", "robot": "ops",
                                                  "message": {"msgtype": "text", "text": {"content": "hi"}}})
        assert answer.status_code == 202
        delivery_id = answer.json()["id"]
        # No worker yet: the message waits on the broker past the outbox's grace, and the scheduler queues it again.
        start("scheduler")
        wait_for(lambda: lines_about(logs["scheduler"], delivery_id), timeout=30)
        start("worker")
        wait_for(lambda: lines_about(logs["worker"], delivery_id), timeout=30)
    finally:
        for process in processes.values():
            stop_group(process)

    for name, log in logs.items():
        found = lines_about(log, delivery_id)
        assert found, f"no line of the {name} mentions the delivery"
        assert all(line["delivery"] == delivery_id for line in found), found  # the id as a field of its own
        assert all({"time", "level", "logger", "message"} <= line.keys() for line in found)
    assert any(line["message"] == "notification accepted and queued" for line in lines_about(logs["ingress"],
                                                                                                delivery_id))
    assert any(line["logger"].startswith("imbridge.workers") for line in lines_about(logs["worker"], delivery_id))


def run_python(code: str, **env: str) -> str:
    """What ``code`` (settings loaded from ``env``, logging configured from them) writes to stderr."""
    script = textwrap.dedent("""
        import logging
        from config import load_settings
        from core.log_context import log_ids
        from core.logs import configure_logging
        configure_logging(load_settings().logging)
    """) + textwrap.dedent(code)
    done = subprocess.run([sys.executable, "-c", script], env={**os.environ, "PYTHONPATH": str(ROOT), **env},
                          capture_output=True, text=True, timeout=60, check=True)
    return done.stderr


def test_levels_per_logger_come_from_the_environment():
    out = run_python("""
        logging.getLogger("imbridge.workers.delivery").debug("worker detail")
        logging.getLogger("imbridge.ingress.app").info("ingress info")
        logging.getLogger("imbridge.ingress.app").warning("ingress warning")
        logging.getLogger("imbridge.scheduler.process").debug("scheduler detail")
    """, IMBRIDGE_LOGGING__LEVEL="warning", IMBRIDGE_LOGGING__LEVELS='{"imbridge.workers": "debug"}')
    assert "worker detail" in out
    assert "ingress warning" in out
    assert "ingress info" not in out
    assert "scheduler detail" not in out


def test_text_lines_end_with_the_ids_they_are_about():
    out = run_python("""
        with log_ids(job="job-1"):
            with log_ids(delivery="d-2"):
                logging.getLogger("imbridge.x").info("inner")
            logging.getLogger("imbridge.x").info("outer")
        logging.getLogger("imbridge.x").info("none")
    """)
    lines = out.splitlines()
    assert lines[0].endswith("imbridge.x: inner delivery=d-2 job=job-1")
    assert lines[1].endswith("imbridge.x: outer job=job-1")
    assert lines[2].endswith("imbridge.x: none")


def test_dramatiqs_own_lines_about_a_message_carry_its_ids():
    """A failure Dramatiq logs itself (outside the actor's call) names the delivery too; the next message's lines
    carry none of it."""
    import dramatiq
    from dramatiq.brokers.stub import StubBroker

    from core.log_context import LogIds
    from core.tasks import Task
    from workers.actors.declaration import ActorDef
    from workers.log_ids import add_message_log_ids

    broker = StubBroker()
    broker.emit_after("process_boot")
    seen: list[dict] = []

    def boom(delivery_id: str) -> None:
        raise RuntimeError("the platform exploded")

    def quiet() -> None:
        logging.getLogger("imbridge.test").warning("no id here")

    dramatiq.actor(boom, broker=broker, actor_name="boom", queue_name="q", max_retries=0)
    dramatiq.actor(quiet, broker=broker, actor_name="quiet", queue_name="q", max_retries=0)
    add_message_log_ids(broker, [ActorDef(Task("q", "boom"), boom, {}, lambda d, *_, **__: {"delivery": d})])
    handler = logging.Handler(logging.WARNING)
    handler.addFilter(LogIds())
    handler.emit = lambda record: seen.append({"message": record.getMessage(), "ids": record.ids})  # type: ignore
    for name in ("dramatiq", "imbridge.test"):
        logging.getLogger(name).addHandler(handler)
    worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=100)
    worker.start()
    try:
        broker.actors["boom"].send("d-42")
        broker.join("q", fail_fast=False)
        broker.actors["quiet"].send()
        broker.join("q", fail_fast=False)
        worker.join()
    finally:
        worker.stop()
        for name in ("dramatiq", "imbridge.test"):
            logging.getLogger(name).removeHandler(handler)
    failed = [line for line in seen if "Failed to process message" in line["message"]]
    assert failed and all(line["ids"] == " delivery=d-42" for line in failed)
    assert [line["ids"] for line in seen if line["message"] == "no id here"] == [""]
