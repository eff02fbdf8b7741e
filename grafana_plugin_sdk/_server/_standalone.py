"""Standalone mode, as the Go SDK's: run the plugin by hand (under a debugger) and let the host attach to it.

Server side (``--standalone``): serve gRPC on TCP (``GF_PLUGIN_GRPC_ADDRESS_<ID>`` or a free port) and write
``standalone.txt`` (the address) and ``pid.txt`` in the plugin folder; both are removed on exit. Client side (the
host launched the plugin as usual): when the environment or ``standalone.txt`` names an address and ``pid.txt``'s
process is alive and the address answers, print a handshake pointing at it and wait; when the standalone process
goes away this process exits, the host restarts the plugin and, with no standalone server left, it serves itself.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import orjson

ADDRESS_FILE = "standalone.txt"
PID_FILE = "pid.txt"
_PORT_ONLY = re.compile(r"^(?:localhost)?:(\d+)$")


def address_variable(plugin_id: str) -> str:
    """``GF_PLUGIN_GRPC_ADDRESS_<ID>``: the id upper-cased, dashes as underscores."""
    return "GF_PLUGIN_GRPC_ADDRESS_" + plugin_id.upper().replace("-", "_")


def normalise_address(address: str) -> str:
    """``:port`` and ``localhost:port`` (the Go SDK writes ``:port``) as ``127.0.0.1:port``."""
    address = address.strip()
    match = _PORT_ONLY.match(address)
    return f"127.0.0.1:{match[1]}" if match else address


def find_plugin_dir(start: Path, plugin_id: str = "") -> tuple[Path, str] | None:
    """The nearest folder at or above ``start`` holding a ``plugin.json`` (with ``plugin_id``, when given), and
    the id it declares."""
    for folder in (start, *start.parents):
        manifest = folder / "plugin.json"
        if manifest.is_file():
            with contextlib.suppress(OSError, orjson.JSONDecodeError, AttributeError):
                found = str(orjson.loads(manifest.read_bytes()).get("id", ""))
                if found and (not plugin_id or found == plugin_id):
                    return folder, found
    return None


def pid_alive(pid: int) -> bool:
    """Whether a process with ``pid`` exists (signal 0)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def answers(address: str, timeout: float = 1.0) -> bool:
    """Whether a TCP connection to ``host:port`` opens."""
    host, _, port = address.rpartition(":")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
            return True
    except (OSError, ValueError):
        return False


@dataclass(frozen=True)
class StandaloneTarget:
    """A running standalone server this process should point the host at."""

    address: str
    pid: int


def attach_target(folder: Path, plugin_id: str, env: Mapping[str, str]) -> StandaloneTarget | None:
    """The standalone server to attach to, or None to serve normally (nothing configured, or it is gone)."""
    address = env.get(address_variable(plugin_id), "")
    if not address:
        with contextlib.suppress(OSError):
            address = (folder / ADDRESS_FILE).read_text(encoding="utf-8")
    address = normalise_address(address)
    if not address:
        return None
    pid = 0
    with contextlib.suppress(OSError, ValueError):
        pid = int((folder / PID_FILE).read_text(encoding="utf-8").strip())
    if pid and not pid_alive(pid):
        return None
    return StandaloneTarget(address, pid) if answers(address) else None


def watch(target: StandaloneTarget, interval: float = 0.5) -> None:
    """Return when the standalone server has gone (its process ended, or its address stops answering)."""
    while True:
        time.sleep(interval)
        if target.pid and not pid_alive(target.pid):
            return
        if not target.pid and not answers(target.address):
            return


class StandaloneFiles:
    """``standalone.txt`` and ``pid.txt`` in the plugin folder while the standalone server runs."""

    def __init__(self, folder: Path, address: str) -> None:
        self.folder, self.address = folder, address

    def write(self) -> None:
        """Write the address and this process's id (mode 0600)."""
        for name, text in ((ADDRESS_FILE, self.address), (PID_FILE, str(os.getpid()))):
            path = self.folder / name
            path.unlink(missing_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                file.write(text)

    def remove(self) -> None:
        """Remove both files if they are still ours."""
        with contextlib.suppress(OSError, ValueError):
            if int((self.folder / PID_FILE).read_text(encoding="utf-8")) != os.getpid():
                return
        for name in (ADDRESS_FILE, PID_FILE):
            (self.folder / name).unlink(missing_ok=True)


def free_address() -> str:
    """``127.0.0.1:<a free port>``."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{probe.getsockname()[1]}"
