"""The go-plugin handshake line a plugin prints on stdout, parsed strictly (pure, no IO).

``CORE|APP|NETWORK|ADDR|PROTOCOL|SERVERCERT[|MUX]``, e.g. ``1|2|unix|/tmp/plugin123|grpc|``.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from host.errors import PluginError

#: go-plugin's core protocol version; the only one there is.
CORE_PROTOCOL_VERSION = 1
#: The app protocol versions the host speaks (Grafana's plugin protocol v2).
APP_PROTOCOL_VERSIONS = (2,)
_MAX_LINE = 4096
_CERT_MIN_LENGTH = 50  # go-plugin treats the 6th field as a certificate only when longer than this


class HandshakeError(PluginError):
    """The plugin's handshake line is malformed or asks for something the host does not support."""


@dataclass(frozen=True)
class Handshake:
    """A parsed handshake: where the plugin listens and which protocol versions it speaks."""

    core_version: int
    app_version: int
    network: str  # "unix" or "tcp"
    address: str
    protocol: str = "grpc"

    @property
    def target(self) -> str:
        """The address as a gRPC channel target (``unix:/path`` or ``ipv4:host:port`` / ``ipv6:[host]:port``)."""
        if self.network == "unix":
            return f"unix:{self.address}"
        host, _, _ = self.address.rpartition(":")
        return f"ipv6:{self.address}" if host.startswith("[") else f"ipv4:{self.address}"


def _int_field(text: str, name: str, line: str) -> int:
    if not text.isascii() or not text.isdigit():
        raise HandshakeError(f"{name} {text!r} is not a number in handshake line {line!r}")
    return int(text)


def _check_tcp_address(address: str, line: str) -> None:
    host, sep, port = address.rpartition(":")
    if not sep or not host:
        raise HandshakeError(f"tcp address {address!r} is not host:port in handshake line {line!r}")
    if not port.isascii() or not port.isdigit() or not 0 < int(port) < 65536:
        raise HandshakeError(f"tcp address {address!r} has no valid port in handshake line {line!r}")
    literal = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        ip = ipaddress.ip_address(literal)
    except ValueError:
        raise HandshakeError(f"tcp address {address!r} is not an IP address in handshake line {line!r}") from None
    if (ip.version == 6) != host.startswith("["):
        raise HandshakeError(f"tcp address {address!r}: IPv6 hosts need brackets in handshake line {line!r}")


def parse_handshake(raw: bytes | str, app_versions: tuple[int, ...] = APP_PROTOCOL_VERSIONS) -> Handshake:
    """Parse the first stdout line of a plugin; raises HandshakeError naming what is wrong."""
    if isinstance(raw, bytes):
        if len(raw) > _MAX_LINE:
            raise HandshakeError(f"handshake line is {len(raw)} bytes long; expected one short line")
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise HandshakeError(f"handshake line is not text: {raw[:80]!r}") from None
    line = raw.strip()
    if not line:
        raise HandshakeError("the plugin printed an empty line instead of the handshake")
    if len(line) > _MAX_LINE:
        raise HandshakeError(f"handshake line is {len(line)} characters long; expected one short line")
    parts = line.split("|")
    if len(parts) < 4:
        raise HandshakeError(f"unrecognized handshake line {line!r}: expected CORE|APP|NETWORK|ADDR|PROTOCOL")
    if len(parts) > 7:
        raise HandshakeError(f"unrecognized handshake line {line!r}: too many fields ({len(parts)})")
    core = _int_field(parts[0], "core protocol version", line)
    if core != CORE_PROTOCOL_VERSION:
        raise HandshakeError(
            f"incompatible core protocol version {core} (host speaks {CORE_PROTOCOL_VERSION}) in handshake line {line!r}"
        )
    app = _int_field(parts[1], "plugin protocol version", line)
    if app not in app_versions:
        wanted = ", ".join(map(str, app_versions))
        raise HandshakeError(
            f"plugin protocol version {app} not supported (host speaks {wanted}) in handshake line {line!r}"
        )
    network, address = parts[2], parts[3]
    if network not in ("unix", "tcp"):
        raise HandshakeError(f"unknown network {network!r} (expected unix or tcp) in handshake line {line!r}")
    if not address:
        raise HandshakeError(f"empty address in handshake line {line!r}")
    if network == "unix" and not address.startswith("/"):
        raise HandshakeError(f"unix socket path {address!r} is not absolute in handshake line {line!r}")
    if network == "tcp":
        _check_tcp_address(address, line)
    protocol = parts[4] if len(parts) > 4 and parts[4] else "netrpc"
    if protocol != "grpc":
        raise HandshakeError(f"protocol {protocol!r} not supported (only grpc) in handshake line {line!r}")
    if len(parts) > 5 and len(parts[5]) > _CERT_MIN_LENGTH:
        raise HandshakeError("the plugin sent a TLS certificate (AutoMTLS), which this host does not use")
    if len(parts) > 6 and parts[6] not in ("true", "false"):
        raise HandshakeError(f"multiplexing flag {parts[6]!r} is not true or false in handshake line {line!r}")
    return Handshake(core, app, network, address, protocol)
