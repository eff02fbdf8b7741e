"""A real local HTTP(S) server that records what it receives, for testing data sources that call HTTP APIs.

``Upstream`` serves routes you give it on ``127.0.0.1`` (a thread per request) and keeps every request it got, so
a test can assert the headers, credentials and client certificate a plugin sent. ``TestCA`` makes a certificate
authority and certificates on the fly (needs the ``cryptography`` package), so the server can serve HTTPS with
its own CA and require client certificates.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import tempfile
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

import orjson


@dataclass(frozen=True)
class CertPair:
    """A PEM certificate and its PEM private key."""

    cert: str
    key: str = field(repr=False)


class TestCA:
    """A throw-away certificate authority (EC P-256) that issues server and client certificates."""

    __test__ = False  # not a pytest test class

    def __init__(self, name: str = "grafana-plugin-sdk test CA") -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        self._key = ec.generate_private_key(ec.SECP256R1())
        self._name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        builder = self._builder(self._name, self._key.public_key()).add_extension(
            x509.BasicConstraints(ca=True, path_length=None), critical=True
        )
        self._cert = builder.sign(self._key, _sha256())
        self.cert = _pem_cert(self._cert)

    def _builder(self, subject: Any, public_key: Any) -> Any:
        from cryptography import x509

        now = dt.datetime.now(dt.UTC)
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self._name)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
        )

    def issue(self, common_name: str, *, dns: tuple[str, ...] = (), ips: tuple[str, ...] = ()) -> CertPair:
        """A certificate for ``common_name`` valid for the given DNS names and IP addresses (and as a client)."""
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

        key = ec.generate_private_key(ec.SECP256R1())
        names: list[x509.GeneralName] = [x509.DNSName(d) for d in dns]
        names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ips]
        builder = self._builder(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]), key.public_key())
        if names:
            builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        usage = x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH])
        cert = builder.add_extension(usage, critical=False).sign(self._key, _sha256())
        key_pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        return CertPair(_pem_cert(cert), key_pem)


def _sha256() -> Any:
    from cryptography.hazmat.primitives import hashes

    return hashes.SHA256()


def _pem_cert(cert: Any) -> str:
    from cryptography.hazmat.primitives import serialization

    return str(cert.public_bytes(serialization.Encoding.PEM).decode())


@dataclass(frozen=True)
class RecordedRequest:
    """One request the upstream received; ``headers`` keys are lower-cased."""

    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes
    client_cert_subject: str = ""


@dataclass
class Reply:
    """What a route answers."""

    status: int = 200
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, value: Any, status: int = 200) -> Reply:
        """A JSON reply."""
        return cls(status, orjson.dumps(value), {"Content-Type": "application/json"})


Route = Callable[[RecordedRequest], Reply]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up (timeouts, refused certificates) are expected here: stay quiet."""


class Upstream:
    """An HTTP server on ``127.0.0.1`` answering ``routes`` (path without query → handler); unknown paths 404.

    With ``tls`` it serves HTTPS with that certificate; with ``client_ca`` too it requires a client certificate
    signed by that CA. Use as a context manager; :attr:`requests` lists what it received, in order.
    """

    def __init__(
        self,
        routes: Mapping[str, Route],
        *,
        tls: CertPair | None = None,
        client_ca: str = "",
    ) -> None:
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._routes = dict(routes)
        self._server = _Server(("127.0.0.1", 0), self._handler_class())
        self.scheme = "http"
        if tls is not None:
            self._server.socket = _tls_context(tls, client_ca).wrap_socket(self._server.socket, server_side=True)
            self.scheme = "https"
        self._thread = threading.Thread(target=self._server.serve_forever, name="upstream", daemon=True)

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """``http(s)://127.0.0.1:<port>``."""
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def __enter__(self) -> Upstream:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True
            wbufsize = 1 << 16  # headers and body leave in one write (flushed after each request)

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = RecordedRequest(
                    self.command,
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                    _peer_subject(self.connection),
                )
                upstream._record(request)
                route = upstream._routes.get(self.path.partition("?")[0])
                reply = route(request) if route is not None else Reply.json({"message": "not found"}, 404)
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        return Handler


def _peer_subject(connection: Any) -> str:
    getpeercert = getattr(connection, "getpeercert", None)
    cert = getpeercert() if getpeercert is not None else None
    if not cert:
        return ""
    return ",".join(f"{k}={v}" for rdn in cert.get("subject", ()) for k, v in rdn)


def _tls_context(tls: CertPair, client_ca: str) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "server.pem"
        path.write_text(f"{tls.cert.strip()}\n{tls.key.strip()}\n")
        context.load_cert_chain(path)
    if client_ca:
        context.load_verify_locations(cadata=client_ca)
        context.verify_mode = ssl.CERT_REQUIRED
    return context
