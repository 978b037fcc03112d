"""Real sockets that fail the way a broken NSX endpoint does, for fault tests.

* :func:`closed_port`: nothing listens (connection refused);
* :func:`silent_port`: a listener whose accept queue is full, so a connect never completes
  (what a firewall dropping SYNs looks like: a connect timeout);
* :func:`tls_endpoint`: an HTTPS server whose certificate is expired, or names another host,
  signed by a CA written next to it (what a misissued manager certificate looks like).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

NAMES_LOOPBACK = ("localhost", "127.0.0.1")


@contextmanager
def closed_port() -> Iterator[str]:
    """``https://127.0.0.1:<port>`` with nothing listening on the port."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    yield f"https://127.0.0.1:{port}"


@contextmanager
def silent_port() -> Iterator[str]:
    """``https://127.0.0.1:<port>`` where a connect hangs: backlog 0, filled, never accepted."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(3):
        filler = socket.socket()
        filler.setblocking(False)
        with suppress(BlockingIOError):  # the connect completes in the background
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    try:
        yield f"https://127.0.0.1:{port}"
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


@dataclass(frozen=True)
class TlsEndpoint:
    url: str
    ca_file: Path


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _alt_names(names: tuple[str, ...]) -> x509.SubjectAlternativeName:
    entries: list[x509.GeneralName] = []
    for name in names:
        try:
            entries.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            entries.append(x509.DNSName(name))
    return x509.SubjectAlternativeName(entries)


def _write_pki(folder: Path, names: tuple[str, ...], not_after: dt.datetime) -> tuple[Path, Path, Path]:
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("fault-test CA"))
        .issuer_name(_name("fault-test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=30))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name(names[0]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(min(now - dt.timedelta(days=20), not_after - dt.timedelta(days=1)))
        .not_valid_after(not_after)
        .add_extension(_alt_names(names), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "server.pem", folder / "server-key.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return ca_file, cert_file, key_file


class _Empty(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()

    do_POST = do_PATCH = do_GET  # noqa: N815

    def log_message(self, format: str, *args: object) -> None:
        return


@contextmanager
def tls_endpoint(
    folder: Path, *, names: tuple[str, ...] = NAMES_LOOPBACK, expired: bool = False
) -> Iterator[TlsEndpoint]:
    """An HTTPS server on 127.0.0.1 with a certificate for ``names``, expired if asked."""
    now = dt.datetime.now(dt.UTC)
    not_after = now - dt.timedelta(days=2) if expired else now + dt.timedelta(days=10)
    ca_file, cert_file, key_file = _write_pki(folder, names, not_after)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Empty)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield TlsEndpoint(f"https://127.0.0.1:{server.server_address[1]}", ca_file)
    finally:
        server.shutdown()
        server.server_close()
