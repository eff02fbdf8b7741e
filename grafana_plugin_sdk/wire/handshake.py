"""go-plugin's handshake, both sides, IO-free.

The plugin side checks the magic cookie, negotiates the protocol version and writes the stdout line
``CORE|APP|NETWORK|ADDR|PROTOCOL|SERVERCERT[|MUX]`` (e.g. ``1|2|unix|/tmp/plugin123|grpc|``); the host side
builds that environment and parses the line strictly.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .errors import HandshakeError

MAGIC_COOKIE_KEY = "grafana_plugin_type"
MAGIC_COOKIE_VALUE = "datasource"
#: go-plugin's core protocol version; the only one there is.
CORE_PROTOCOL_VERSION = 1
#: The app protocol versions spoken here (Grafana's plugin protocol v2).
APP_PROTOCOL_VERSIONS = (2,)
#: gRPC health service name go-plugin servers report as SERVING.
HEALTH_SERVICE = "plugin"

NOT_A_HOST_MESSAGE = (
    "This program is a Grafana backend plugin. It is not meant to be run directly: Grafana (or "
    "grafana-plugin-host) starts it and talks to it over gRPC.\n"
    f"To run it by hand, set the environment variable {MAGIC_COOKIE_KEY}={MAGIC_COOKIE_VALUE} as the host does.\n"
)


class CookieError(Exception):
    """The process was not started by a plugin host (missing or wrong magic cookie)."""


@dataclass(frozen=True)
class Negotiation:
    """The app protocol version to announce, and warnings for stderr."""

    version: int
    warnings: tuple[str, ...] = ()


def check_cookie(env: Mapping[str, str]) -> None:
    """Raise :class:`CookieError` with an explanation unless ``env`` carries the host's magic cookie."""
    value = env.get(MAGIC_COOKIE_KEY)
    if value != MAGIC_COOKIE_VALUE:
        found = "is not set" if value is None else f"is {value!r}, expected {MAGIC_COOKIE_VALUE!r}"
        raise CookieError(f"{NOT_A_HOST_MESSAGE}(the environment variable {MAGIC_COOKIE_KEY} {found})")


def negotiate_version(env: Mapping[str, str], supported: Sequence[int] = APP_PROTOCOL_VERSIONS) -> Negotiation:
    """Pick the highest supported version the host lists in ``PLUGIN_PROTOCOL_VERSIONS``, as go-plugin does.

    Without a match go-plugin still announces its lowest version and lets the host reject it; so do we.
    """
    warnings: list[str] = []
    offered: set[int] = set()
    raw = env.get("PLUGIN_PROTOCOL_VERSIONS", "")
    for part in filter(None, (p.strip() for p in raw.split(","))):
        try:
            offered.add(int(part))
        except ValueError:
            warnings.append(f"ignoring invalid plugin protocol version {part!r} in PLUGIN_PROTOCOL_VERSIONS")
    for version in sorted(supported, reverse=True):
        if version in offered:
            return Negotiation(version, tuple(warnings))
    lowest = min(supported)
    if raw:
        warnings.append(
            f"the host accepts plugin protocol versions {raw!r} but this plugin speaks "
            f"{', '.join(map(str, sorted(supported)))}; announcing {lowest} and the host will likely refuse it"
        )
    return Negotiation(lowest, tuple(warnings))


def handshake_line(version: int, network: str, address: str) -> str:
    """The line go-plugin's client reads from stdout: ``1|<version>|<network>|<address>|grpc|`` + newline."""
    if network not in ("unix", "tcp"):
        raise ValueError(f"network must be 'unix' or 'tcp', not {network!r}")
    if "|" in address or "\n" in address:
        raise ValueError(f"address {address!r} cannot be announced in a handshake line")
    return f"{CORE_PROTOCOL_VERSION}|{version}|{network}|{address}|grpc|\n"


# --- host side -----------------------------------------------------------------------------------

_MAX_LINE = 4096
_CERT_MIN_LENGTH = 50  # go-plugin treats the 6th field as a certificate only when longer than this


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


def host_environment() -> dict[str, str]:
    """The go-plugin variables a host sets for a plugin it launches: the cookie and the versions it speaks."""
    return {
        MAGIC_COOKIE_KEY: MAGIC_COOKIE_VALUE,
        "PLUGIN_PROTOCOL_VERSIONS": ",".join(map(str, APP_PROTOCOL_VERSIONS)),
        "PLUGIN_MIN_PORT": "10000",
        "PLUGIN_MAX_PORT": "25000",
    }
