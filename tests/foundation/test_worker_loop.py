"""The loop ingress -> broker -> worker, with a real Redis (and RabbitMQ when one is reachable)."""

from __future__ import annotations

import os
import socket
import uuid

import falcon.testing
import pytest

from core.ping import ping_seen
from core.runtime import Runtime
from core.tasks import Tasks
from ingress import create_app
from models import Scope
from models.api_clients import create_api_client
from tests.waiting import wait_for
from tests.worker_support import running_worker


@pytest.fixture
def runtime(make_settings, sqlite_url):
    runtime = Runtime.from_settings(make_settings(sqlite_url))
    yield runtime
    runtime.close()


def test_ping_posted_to_the_api_is_handled_by_a_worker(runtime):
    with runtime.database.session() as session:
        _, key = create_api_client(session, "t", Scope.NOTIFY)
    client = falcon.testing.TestClient(create_app(runtime.settings, runtime))
    with running_worker(runtime, threads=2, timeout_ms=100):
        posted = client.simulate_post("/api/v1/ping", headers={"Authorization": f"Bearer {key}"})
        assert posted.status_code == 202
        ping_id = posted.json["id"]
        status = wait_for(lambda: client.simulate_get(
            f"/api/v1/ping/{ping_id}", headers={"Authorization": f"Bearer {key}"}).json["status"] == "done")
        assert status


def test_a_ping_that_was_never_queued_is_not_found_while_a_queued_one_waits(runtime):
    """Reading back an id nobody queued says so (404); one queued but not yet handled says ``queued``."""
    with runtime.database.session() as session:
        _, key = create_api_client(session, "t", Scope.NOTIFY)
    client = falcon.testing.TestClient(create_app(runtime.settings, runtime))
    headers = {"Authorization": f"Bearer {key}"}
    unknown = client.simulate_get(f"/api/v1/ping/{uuid.uuid4().hex}", headers=headers)
    assert unknown.status_code == 404
    assert unknown.json["error"]["code"] == "not_found"
    ping_id = client.simulate_post("/api/v1/ping", headers=headers).json["id"]  # no worker runs: it stays queued
    waiting = client.simulate_get(f"/api/v1/ping/{ping_id}", headers=headers)
    assert (waiting.status_code, waiting.json["status"]) == (200, "queued")


def test_the_worker_builds_its_runtime_when_it_boots_not_when_it_is_imported(make_settings, sqlite_url):
    """A worker module connects nothing at import: the runtime is built when the worker boots (each Dramatiq
    process its own) and let go when it stops."""
    from dramatiq import Worker

    from workers.boot import RuntimeBoot, worker_broker

    settings = make_settings(sqlite_url)
    broker = worker_broker(settings)
    boot = RuntimeBoot.of(broker)
    with pytest.raises(RuntimeError):
        _ = boot.context
    tasks = Tasks.from_settings(settings)
    worker = Worker(broker, worker_timeout=50, worker_threads=1)
    worker.start()
    try:
        assert boot.context.runtime.settings is settings
        ping_id = uuid.uuid4().hex
        tasks.ping(ping_id)
        assert wait_for(lambda: ping_seen(boot.context.runtime.redis, ping_id))
    finally:
        worker.stop()
        broker.close()
        tasks.close()
    with pytest.raises(RuntimeError):
        _ = boot.context


def test_assembling_the_ingress_or_a_worker_sets_no_process_global_broker(runtime):
    """Each part hands its broker over; none is made Dramatiq's global one behind the others' backs."""
    import dramatiq.broker

    from workers.boot import worker_broker

    before = dramatiq.broker.global_broker
    create_app(runtime.settings, runtime)
    worker_broker(runtime.settings, runtime).close()
    assert dramatiq.broker.global_broker is before

def test_enqueue_with_the_broker_down_is_a_503_not_a_crash(make_settings, sqlite_url):
    settings = make_settings(sqlite_url, redis={"url": "redis://127.0.0.1:1/0"})
    runtime = Runtime.from_settings(settings)
    with runtime.database.session() as session:
        _, key = create_api_client(session, "t", Scope.NOTIFY)
    client = falcon.testing.TestClient(create_app(settings, runtime))
    result = client.simulate_post("/api/v1/ping", headers={"Authorization": f"Bearer {key}"})
    assert result.status_code == 503
    assert result.json["error"]["code"] == "broker_unavailable"


def _rabbitmq_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _rabbitmq_reachable(), reason="no RabbitMQ at 127.0.0.1:5672")
def test_ping_loop_on_rabbitmq(runtime):
    url = os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
    settings = runtime.settings.model_copy(update={"broker": runtime.settings.broker.model_copy(update={"url": url})})
    tasks = Tasks.from_settings(settings)
    try:
        with running_worker(Runtime(settings, runtime.redis, runtime.database), threads=1, timeout_ms=100):
            ping_id = uuid.uuid4().hex
            tasks.ping(ping_id)
            assert wait_for(lambda: ping_seen(runtime.redis, ping_id))
    finally:
        tasks.close()
