"""Where the plugin listens: a unix socket (default; ``PLUGIN_UNIX_SOCKET_DIR``) or TCP on 127.0.0.1 within
``PLUGIN_MIN_PORT..PLUGIN_MAX_PORT``, as go-plugin's server does."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

Transport = Literal["unix", "tcp"]
DEFAULT_MIN_PORT = 10000
DEFAULT_MAX_PORT = 25000
_MAX_UNIX_PATH = 107  # sun_path holds 108 bytes including the terminating NUL


class _PortServer(Protocol):
    def add_insecure_port(self, address: str) -> int: ...


class ListenError(Exception):
    """No address to listen on could be bound."""


@dataclass(frozen=True)
class Listening:
    """A bound address: the handshake's network and address, and a socket file to remove on exit."""

    network: Transport
    address: str
    socket_path: str | None = None

    def finish_setup(self, env: Mapping[str, str]) -> None:
        """Give the socket to ``PLUGIN_UNIX_SOCKET_GROUP`` (mode 0660) when the host asks for it."""
        group = env.get("PLUGIN_UNIX_SOCKET_GROUP", "")
        if self.socket_path is None or not group:
            return
        import grp  # POSIX only, like unix sockets

        gid = int(group) if group.isdigit() else grp.getgrnam(group).gr_gid
        os.chown(self.socket_path, -1, gid)
        os.chmod(self.socket_path, 0o660)

    def cleanup(self) -> None:
        """Remove the socket file, if any."""
        if self.socket_path is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.socket_path)


def port_range(env: Mapping[str, str]) -> tuple[int, int]:
    """``PLUGIN_MIN_PORT``/``PLUGIN_MAX_PORT``; go-plugin's defaults when both are unset or 0."""
    try:
        low, high = int(env.get("PLUGIN_MIN_PORT") or 0), int(env.get("PLUGIN_MAX_PORT") or 0)
    except ValueError as exc:
        raise ListenError(f"PLUGIN_MIN_PORT/PLUGIN_MAX_PORT must be integers: {exc}") from None
    if low == 0 and high == 0:
        return DEFAULT_MIN_PORT, DEFAULT_MAX_PORT
    if not 0 < low <= high <= 65535:
        raise ListenError(f"invalid plugin port range {low}..{high}")
    return low, high


def socket_path(env: Mapping[str, str]) -> str:
    """A fresh absolute socket path ``<dir>/plugin<random>``."""
    directory = os.path.abspath(env.get("PLUGIN_UNIX_SOCKET_DIR") or tempfile.gettempdir())
    path = os.path.join(directory, f"plugin{secrets.randbelow(10**10)}")
    if len(os.fsencode(path)) > _MAX_UNIX_PATH:
        raise ListenError(f"unix socket path {path!r} is too long; set PLUGIN_UNIX_SOCKET_DIR to a shorter directory")
    return path


def _try_bind(server: _PortServer, target: str) -> bool:
    try:
        return server.add_insecure_port(target) != 0
    except RuntimeError:
        return False


def bind(server: _PortServer, transport: Transport, env: Mapping[str, str]) -> Listening:
    """Bind ``server`` to a unix socket or the first free TCP port of the host's range."""
    if transport == "unix":
        path = socket_path(env)
        if not _try_bind(server, f"unix:{path}"):
            raise ListenError(f"cannot listen on unix socket {path}")
        return Listening("unix", path, path)
    low, high = port_range(env)
    for port in range(low, high + 1):
        if _try_bind(server, f"127.0.0.1:{port}"):
            return Listening("tcp", f"127.0.0.1:{port}")
    raise ListenError(f"no free TCP port on 127.0.0.1 in {low}..{high}")
