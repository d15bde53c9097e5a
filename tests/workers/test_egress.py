"""Outbound webhooks as an attacker would aim them: at this machine, the cloud metadata service, a private
network, through DNS that changes its answer, at a receiver that drips or answers a gzip bomb.

Receivers are real sockets on 127.0.0.1; names are mapped by a resolver handed to the ``Egress``, so no test
depends on DNS. The ``post`` under test is the one the delivery actor calls.
"""

from __future__ import annotations

import datetime
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterator

import httpcore
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from core.egress import DestinationPolicy, Egress
from workers.webhooks import MAX_ANSWER_BYTES, post

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"


class Receiver:
    """A TCP server on 127.0.0.1: reads each request, keeps it, and lets ``answer`` write to the socket."""

    def __init__(self, answer: Callable[[socket.socket], None] = lambda conn: conn.sendall(OK),
                 tls: ssl.SSLContext | None = None) -> None:
        self.answer, self.tls = answer, tls
        self.requests: list[bytes] = []
        self.connections = 0
        self.cut_off = threading.Event()  # the client hung up while we were still answering
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        try:
            if self.tls is not None:
                conn = self.tls.wrap_socket(conn, server_side=True)
            data = b""
            while b"\r\n\r\n" not in data:
                data += conn.recv(65536)
            head, _, body = data.partition(b"\r\n\r\n")
            length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:"))
            while len(body) < length:
                body += conn.recv(65536)
            self.requests.append(head)
            self.answer(conn)
        except OSError:
            self.cut_off.set()
        finally:
            conn.close()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def receiver() -> Iterator[Callable[..., Receiver]]:
    made: list[Receiver] = []

    def make(*args, **kwargs) -> Receiver:
        made.append(Receiver(*args, **kwargs))
        return made[-1]

    yield make
    for server in made:
        server.close()


def resolver(names: dict[str, list[list[str]]]):
    """A resolver answering each name's lists in turn (the last one again and again), counting the lookups."""
    asked: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        asked.append(host)
        answers = names[host]
        return answers.pop(0) if len(answers) > 1 else answers[0]

    resolve.asked = asked  # type: ignore[attr-defined]
    return resolve


def deliver(egress: Egress, url: str, timeout: float = 5.0):
    return post(egress, url, b'{"msgType": "text"}', "a-very-secret-signing-key-0001", 1, timeout)


LOOPBACK_ONLY = DestinationPolicy(["127.0.0.1/32"])


# -- which addresses ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.8.9.10", "0.0.0.0", "10.1.2.3", "172.16.0.1", "192.168.1.1", "100.64.0.1", "100.127.255.254",
    "169.254.169.254", "224.0.0.1", "239.255.255.250", "255.255.255.255", "240.0.0.1", "192.0.2.1",
    "::", "::1", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "fec0::1",
    "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:10.0.0.1", "2002:7f00:1::", "64:ff9b::a9fe:a9fe",
])
def test_addresses_that_are_not_public_unicast_are_refused(address):
    assert DestinationPolicy().refusal(address), address


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.216.34", "2001:4860:4860::8888", "::ffff:8.8.8.8",
                                     "64:ff9b::808:808"])
def test_public_unicast_addresses_pass(address):
    assert DestinationPolicy().permits(address)


def test_the_allow_list_admits_its_networks_in_every_spelling():
    policy = DestinationPolicy(["127.0.0.1/32", "10.20.0.0/16", "fd00::/8"])
    assert policy.permits("127.0.0.1") and policy.permits("::ffff:127.0.0.1") and policy.permits("10.20.3.4")
    assert policy.permits("fd00::5")
    assert not policy.permits("127.0.0.2") and not policy.permits("10.21.0.1") and not policy.permits("::1")


@pytest.mark.parametrize("host", ["127.0.0.1", "0", "2130706433", "0177.0.0.1", "0x7f.1", "127.1", "[::1]", "::1",
                                  "::ffff:127.0.0.1", "localhost", "LocalHost.", "admin.localhost", "169.254.169.254",
                                  "10.0.0.8", "100.64.1.1", "[fe80::1%25eth0]"])
def test_hosts_that_are_refused_without_a_lookup(host):
    assert DestinationPolicy().host_refusal(host)


def test_names_wait_for_their_lookup_and_the_allow_list_opens_loopback():
    assert DestinationPolicy().host_refusal("crm.example.com") is None
    assert DestinationPolicy().host_refusal("8.8.8.8") is None
    assert LOOPBACK_ONLY.host_refusal("127.0.0.1") is None and LOOPBACK_ONLY.host_refusal("localhost") is None
    assert LOOPBACK_ONLY.host_refusal("127.0.0.2")


# -- at connect time ---------------------------------------------------------------------------------------

def test_a_name_resolving_to_loopback_is_refused_and_nothing_connects(receiver):
    server = receiver()
    egress = Egress(DestinationPolicy(), resolve=resolver({"crm.example.com": [["127.0.0.1"]]}))
    attempt = deliver(egress, f"http://crm.example.com:{server.port}/hook")
    assert (attempt.status, attempt.error) == (None, "destination refused")
    assert server.connections == 0


def test_the_system_resolver_is_judged_too(receiver):
    """``localhost`` (a subscription stored before the policy, say) resolves to loopback: refused."""
    server = receiver()
    attempt = deliver(Egress(DestinationPolicy()), f"http://localhost:{server.port}/hook")
    assert (attempt.error, server.connections) == ("destination refused", 0)


def test_an_allowed_network_is_reached_at_the_checked_address_with_the_name_as_host(receiver):
    server = receiver()
    egress = Egress(LOOPBACK_ONLY, resolve=resolver({"crm.internal": [["::1", "127.0.0.1"]]}))
    attempt = deliver(egress, f"http://crm.internal:{server.port}/hook")
    assert (attempt.status, attempt.error, attempt.answer) == (200, None, b"ok")
    assert f"host: crm.internal:{server.port}".encode() in server.requests[0].lower()


class Recording(httpcore.NetworkBackend):
    """Remembers where it was asked to connect, and connects nowhere."""

    def __init__(self) -> None:
        self.connects: list[tuple[str, int]] = []

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        self.connects.append((host, port))
        raise httpcore.ConnectError("recorded, not connected")


def test_dns_rebinding_cannot_swap_the_address_between_check_and_connect():
    """The name answers a public address, then loopback: each delivery looks it up once and connects to the
    very address it judged, so the loopback answer is refused instead of used."""
    resolve = resolver({"rebind.example": [["93.184.216.34"], ["127.0.0.1"]]})
    backend = Recording()
    egress = Egress(DestinationPolicy(), resolve=resolve, backend=backend)
    first = deliver(egress, "http://rebind.example/hook")
    assert first.error == "connection failed" and backend.connects == [("93.184.216.34", 80)]
    assert resolve.asked == ["rebind.example"]
    second = deliver(egress, "http://rebind.example/hook")
    assert second.error == "destination refused" and backend.connects == [("93.184.216.34", 80)]


def test_a_refused_port_reads_as_connection_failed_not_the_os_words():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: the connection is refused
        attempt = deliver(Egress(LOOPBACK_ONLY), f"http://127.0.0.1:{port}/")
    assert (attempt.status, attempt.error) == (None, "connection failed")


def test_an_address_literal_is_judged_like_a_name(receiver):
    server = receiver()
    for url in (f"http://127.0.0.1:{server.port}/", f"http://0:{server.port}/", f"http://[::ffff:127.0.0.1]:{server.port}/",
                f"http://2130706433:{server.port}/"):
        assert deliver(Egress(DestinationPolicy()), url).error == "destination refused", url
    assert server.connections == 0


# -- one deadline, a bounded answer --------------------------------------------------------------------------

def drip(data: bytes, every: float) -> Callable[[socket.socket], None]:
    def answer(conn: socket.socket) -> None:
        for byte in data:
            conn.sendall(bytes([byte]))
            time.sleep(every)
    return answer


def test_a_receiver_dripping_its_headers_is_cut_at_the_deadline(receiver):
    """Each byte comes well within the timeout; the whole answer would take 20 s. The delivery ends at its one
    deadline instead (on the old per-read timeout it waited for all of it and recorded a 200)."""
    headers = b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 200 + b"\r\nContent-Length: 0\r\n\r\n"
    server = receiver(drip(headers, 0.1))
    attempt = deliver(Egress(LOOPBACK_ONLY), f"http://127.0.0.1:{server.port}/", timeout=0.5)
    assert (attempt.status, attempt.error) == (None, "timeout")


def test_a_receiver_dripping_its_body_is_cut_at_the_deadline(receiver):
    body = b"x" * 200
    server = receiver(_headers_then_drip(body))
    attempt = deliver(Egress(LOOPBACK_ONLY), f"http://127.0.0.1:{server.port}/", timeout=0.5)
    assert (attempt.status, attempt.error) == (200, None)  # the status came: delivered
    assert len(attempt.answer) < len(body)
    assert server.cut_off.wait(10), "the receiver was hung up on"


def _headers_then_drip(body: bytes) -> Callable[[socket.socket], None]:
    def answer(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body))
        drip(body, 0.1)(conn)
    return answer


def test_a_lookup_that_never_answers_ends_at_the_deadline():
    never = threading.Event()

    def hanging(host: str, port: int) -> list[str]:
        never.wait(30)
        return ["93.184.216.34"]

    egress = Egress(DestinationPolicy(), resolve=hanging, backend=Recording())
    try:
        attempt = deliver(egress, "http://slow-dns.example/", timeout=0.3)
    finally:
        never.set()
        egress.close()
    assert (attempt.status, attempt.error) == (None, "timeout")


def gzip_bomb(megabytes: int) -> bytes:
    """``megabytes`` MiB of zeros, gzipped (about 1 KiB each)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1 << 20)
    return b"".join(packer.compress(zeros) for _ in range(megabytes)) + packer.flush()


def test_a_gzip_bomb_is_read_raw_and_only_its_first_64_kib():
    bomb = gzip_bomb(128)  # ~130 KB on the wire, 128 MiB unpacked
    assert len(bomb) > MAX_ANSWER_BYTES + 60_000

    def answer(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(bomb))
        conn.sendall(bomb)

    server = Receiver(answer)
    try:
        attempt = deliver(Egress(LOOPBACK_ONLY), f"http://127.0.0.1:{server.port}/")
    finally:
        server.close()
    assert attempt.status == 200
    assert attempt.answer == bomb[:MAX_ANSWER_BYTES]  # as sent: not one byte unpacked, not one past the cap
    assert b"accept-encoding: identity" in server.requests[0].lower()


# -- TLS ---------------------------------------------------------------------------------------------------

def certificate(name: str) -> tuple[bytes, bytes]:
    """A self-signed certificate for ``name``, and its key (PEM)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return (cert.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()))


def test_tls_verifies_the_url_name_though_the_connection_goes_to_the_checked_address(receiver, tmp_path):
    cert, key = certificate("hooks.internal")
    (tmp_path / "cert.pem").write_bytes(cert)
    (tmp_path / "key.pem").write_bytes(key)
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    names: list[str | None] = []
    server_tls.sni_callback = lambda sock, name, context: names.append(name)
    server = receiver(tls=server_tls)
    trusting = ssl.create_default_context(cadata=cert.decode())
    resolve = resolver({"hooks.internal": [["127.0.0.1"]], "other.internal": [["127.0.0.1"]]})
    egress = Egress(LOOPBACK_ONLY, resolve=resolve, ssl_context=trusting)

    assert deliver(egress, f"https://hooks.internal:{server.port}/").status == 200
    assert names[0] == "hooks.internal"
    wrong = deliver(egress, f"https://other.internal:{server.port}/")  # same address, a name the cert lacks
    assert (wrong.status, wrong.error) == (None, "connection failed")
