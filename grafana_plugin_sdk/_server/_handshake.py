"""go-plugin's handshake, IO-free: the magic cookie, protocol version negotiation and the stdout line."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

MAGIC_COOKIE_KEY = "grafana_plugin_type"
MAGIC_COOKIE_VALUE = "datasource"
CORE_PROTOCOL_VERSION = 1
APP_PROTOCOL_VERSIONS = (2,)

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
