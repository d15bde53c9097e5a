"""``imbridge ingress`` as served (granian): connections spread over its worker processes, a taken port refused, a
crashed worker replaced, a stop that lets a request in flight finish, ``Connection: close`` honoured, and
``/metrics`` counting every worker process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from ingress.server import ensure_port_free, forget_dead_processes
from tests.conftest import free_port
from tests.processes import descendants
from tests.waiting import stop_group, wait_for, wait_until_up

ROOT = Path(__file__).resolve().parents[2]
#: Keep-alive connections opened at once: a fair split holds about half on each of two processes.
CONNECTIONS = 64


def ingress_env(tmp_path: Path, redis_url: str, sqlite_url: str, port: int) -> dict[str, str]:
    return {**os.environ, "IMBRIDGE_REDIS__URL": redis_url, "IMBRIDGE_DATABASE__URL": sqlite_url,
            "IMBRIDGE_VAR_DIR": str(tmp_path / "var"), "IMBRIDGE_SECURITY__SECRET_KEY": "server-secret",
            "IMBRIDGE_INGRESS__PORT": str(port), "IMBRIDGE_INGRESS__WORKERS": "2", "PYTHONPATH": str(ROOT)}


@pytest.fixture
def served(tmp_path: Path, redis_url: str, sqlite_url: str) -> Iterator[tuple[subprocess.Popen, int, dict]]:
    port = free_port()
    env = ingress_env(tmp_path, redis_url, sqlite_url, port)
    process = subprocess.Popen([sys.executable, "-m", "imbridge", "ingress"], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_until_up(f"http://127.0.0.1:{port}", process)
        yield process, port, env
    finally:
        if process.poll() is None:  # (a test may have stopped it)
            stop_group(process)


def sockets_on(port: int, state: str) -> set[str]:
    """Inodes of the TCP sockets whose local end is ``port``, in ``state`` (01 established, 0A listening)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == state:
            inodes.add(fields[9])
    return inodes


def held_by(pid: int, inodes: set[str]) -> set[str]:
    held = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:[") and target[8:-1] in inodes:
            held.add(target[8:-1])
    return held


def test_keep_alive_connections_spread_over_the_worker_processes(served) -> None:
    process, port, _ = served
    # Each worker binds its socket as it boots: the first may answer before the second listens.
    wait_for(lambda: len(sockets_on(port, "0A")) == 2)
    clients = []
    try:
        for _ in range(CONNECTIONS):  # as a load generator does: each connection asks at once
            clients.append(socket.create_connection(("127.0.0.1", port), timeout=10))
            clients[-1].sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
        for client in clients:
            assert client.recv(128).startswith(b"HTTP/1.1 200")
        workers = sorted(descendants(process.pid))
        accepted = sockets_on(port, "01")
        held = Counter({pid: len(held_by(pid, accepted)) for pid in workers})
    finally:
        for client in clients:
            client.close()

    assert len(held) == 2 and sum(held.values()) == CONNECTIONS, held
    # One process holding (nearly) every connection caps the ingress at one core; a fair split is ~32 each.
    assert min(held.values()) >= CONNECTIONS // 4, held
    # The split does not depend on which process happens to be idle when a connection comes: each has its
    # own accept queue, and the kernel picks the queue (a shared one goes to whichever process wakes first).
    listening = sockets_on(port, "0A")
    queues = [held_by(pid, listening) for pid in workers]
    assert all(len(queue) == 1 for queue in queues) and queues[0] != queues[1], queues
    assert not held_by(process.pid, listening)


def test_a_second_ingress_on_a_taken_port_exits_saying_so(served, tmp_path: Path) -> None:
    process, port, env = served
    # (The wait a predecessor shutting down is given is test_a_port_freed_while_waiting_is_taken's; 0.5 s here.)
    second = subprocess.run([sys.executable, "-m", "imbridge", "ingress"], env={
        **env, "IMBRIDGE_INGRESS__PORT_WAIT_SECONDS": "0.5"}, capture_output=True, text=True, timeout=60)
    assert second.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in second.stderr and "in use" in second.stderr
    assert process.poll() is None  # the first one serves on


def test_a_port_freed_while_waiting_is_taken() -> None:
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    port = holder.getsockname()[1]
    threading.Timer(0.5, holder.close).start()  # a predecessor that finishes shutting down
    ensure_port_free("127.0.0.1", port)  # returns, rather than exiting
    with pytest.raises(SystemExit, match="cannot listen"), socket.create_server(("127.0.0.1", port)):
        ensure_port_free("127.0.0.1", port, wait_seconds=0.3)


def exchange(sock: socket.socket, request: bytes) -> tuple[bytes, dict[bytes, bytes]]:
    """Send one request, read one response: its status line and headers (lower-case names); body read past."""
    sock.sendall(request)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return b"", {}
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status, *lines = head.split(b"\r\n")
    headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(b":") for line in lines)}
    while len(body) < int(headers.get(b"content-length", b"0")):
        body += sock.recv(65536)
    return status, headers


def post(path: str, body: bytes) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


def test_the_served_app_decides_on_the_route_whatever_the_path_spelling(served) -> None:
    _, port, _ = served
    for path in ("//api/v1/apikeys", "///api/v1/apikeys", "/api/v1%2Fapikeys", "/api//v1/apikeys"):
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            status, _ = exchange(sock, post(path, b'{"name": "x", "scope": "admin"}'))
            assert status.startswith(b"HTTP/1.1 401"), (path, status)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        status, headers = exchange(sock, b"GET //admin HTTP/1.1\r\nHost: test\r\n\r\n")
        assert status.startswith(b"HTTP/1.1 200") and b"default-src 'self'" in headers[b"content-security-policy"]


@pytest.mark.parametrize(("path", "size"), [("/wechat/portal?timestamp=1&nonce=2&signature=x", 100_000),
                                            ("/api/v1/ping", 2_000_000), ("/healthz", 10)])
def test_a_body_left_unread_closes_the_connection_and_says_so(served, path, size) -> None:
    _, port, _ = served
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        status, headers = exchange(sock, post(path, b"x" * size))
        assert status[9:12] in (b"400", b"401", b"404", b"405"), status
        assert headers[b"connection"] == b"close"
        try:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
            assert sock.recv(100) == b""  # closed, as announced
        except (BrokenPipeError, ConnectionResetError):
            pass


def test_a_body_read_in_full_keeps_the_connection(served) -> None:
    _, port, _ = served
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        status, headers = exchange(sock, post("/token/login", b'{"loginType": "weChat", "authCode": "nope"}'))
        # A refusal in the seed's envelope (HTTP 200 with a non-zero code); HTTP/1.1 keeps the connection unless a
        # side says close.
        assert status.startswith(b"HTTP/1.1 200") and headers.get(b"connection", b"keep-alive") == b"keep-alive"
        status, _ = exchange(sock, b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
        assert status.startswith(b"HTTP/1.1 200")


def open_on_both_workers(process: subprocess.Popen, port: int) -> tuple[list[socket.socket], Counter]:
    """Keep-alive connections until each of the two worker processes holds some: (the connections, held per pid)."""
    wait_for(lambda: len(sockets_on(port, "0A")) == 2)
    clients: list[socket.socket] = []
    for _ in range(CONNECTIONS):
        clients.append(socket.create_connection(("127.0.0.1", port), timeout=10))
        status, _ = exchange(clients[-1], b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
        assert status.startswith(b"HTTP/1.1 200")
    accepted = sockets_on(port, "01")
    held = Counter({pid: len(held_by(pid, accepted)) for pid in descendants(process.pid)})
    assert len(held) == 2 and min(held.values()) > 0, held
    return clients, held


def healthz_count(port: int) -> float:
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    return sum(sample.value for family in text_string_to_metric_families(text) for sample in family.samples
               if sample.name == "imbridge_http_requests_total" and sample.labels.get("route") == "/healthz")


def test_metrics_count_the_requests_of_every_worker_process(served) -> None:
    process, port, _ = served
    clients, _ = open_on_both_workers(process, port)
    try:
        for client in clients:  # a second request on each: both processes answer some
            status, _ = exchange(client, b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
            assert status.startswith(b"HTTP/1.1 200")
    finally:
        for client in clients:
            client.close()
    before = 1  # wait_until_up's own request
    # Whichever process answers /metrics, it counts what both answered (one process's alone would be about half).
    for _ in range(4):
        assert healthz_count(port) == before + 2 * CONNECTIONS


def test_a_crashed_worker_process_is_replaced(served) -> None:
    process, port, _ = served
    wait_for(lambda: len(sockets_on(port, "0A")) == 2)
    first, second = sorted(descendants(process.pid))
    os.kill(first, 9)
    wait_for(lambda: len(descendants(process.pid) - {first, second}) == 1 and len(sockets_on(port, "0A")) == 2,
             timeout=30)
    assert second in descendants(process.pid) and process.poll() is None
    for _ in range(8):  # new connections, spread over both sockets: every one answered
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10,
                         headers={"Connection": "close"}).status_code == 200


def test_a_stop_lets_the_request_in_flight_finish(served) -> None:
    process, port, _ = served
    body = b'{"loginType": "weChat", "authCode": "nope"}'
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        request = post("/token/login", body)
        sock.sendall(request[:-10])  # the app is reading the body
        wait_for(lambda: held_by_any(process.pid, port) and unread_on(port) == 0)  # the server took what came
        os.killpg(process.pid, signal.SIGTERM)
        wait_for(lambda: not sockets_on(port, "0A"))  # no new connections: the stop has begun
        sock.sendall(request[-10:])
        status, _ = exchange(sock, b"")
        assert status.startswith(b"HTTP/1.1 200"), status  # answered (in the seed's envelope), not cut off
    assert process.wait(timeout=30) == 0


def unread_on(port: int) -> int:
    """Bytes received and not read yet on the accepted connections of ``port`` (/proc/net/tcp's rx_queue)."""
    unread = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == "01":
            unread += int(fields[4].split(":")[1], 16)
    return unread


def held_by_any(pid: int, port: int) -> bool:
    accepted = sockets_on(port, "01")
    return any(held_by(worker, accepted) for worker in descendants(pid))


def test_a_starting_worker_marks_the_processes_gone_from_the_metrics_dir_dead(tmp_path, monkeypatch) -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid, own_pid = int(gone.stdout), os.getpid()
    for name in (f"counter_{dead_pid}.db", f"gauge_livesum_{dead_pid}.db", f"counter_{own_pid}.db", "notes.txt"):
        (tmp_path / name).write_bytes(b"")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    marked: list[int] = []
    forget_dead_processes(marked.append)
    assert marked == [dead_pid]
