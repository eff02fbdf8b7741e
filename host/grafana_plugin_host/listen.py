"""The host's listening socket, bound before any plugin starts: a taken port fails at once and says what to do."""

from __future__ import annotations

import errno
import socket

from grafana_plugin_host.errors import HostError

_BACKLOG = 2048  # uvicorn's default


def bind(addr: str, port: int) -> socket.socket:
    """A listening TCP socket on ``addr:port`` (all interfaces for an empty ``addr``); HostError if it cannot bind."""
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    try:
        return socket.create_server((addr, port), family=family, backlog=_BACKLOG)
    except OSError as exc:
        shown = f"[{addr}]:{port}" if ":" in addr else f"{addr or '*'}:{port}"
        reason = "is already in use" if exc.errno == errno.EADDRINUSE else f"cannot be listened on ({exc.strerror})"
        raise HostError(
            f"{shown} {reason}; pick another port with GF_SERVER_HTTP_PORT=<port> (or [server] http_port)"
        ) from None
