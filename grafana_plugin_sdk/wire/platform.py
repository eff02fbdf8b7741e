"""The Grafana version followed here, and this machine's OS and CPU architecture in Go's spelling."""

from __future__ import annotations

import platform
import sys

#: The Grafana version whose HTTP API and plugin protocol are followed (``GF_VERSION``, ``buildInfo``).
GRAFANA_VERSION = "12.0.0"

_ARCHES = {
    "x86_64": "amd64",
    "amd64": "amd64",
    "aarch64": "arm64",
    "arm64": "arm64",
    "i386": "386",
    "i686": "386",
    "x86": "386",
    "armv6l": "arm",
    "armv7l": "arm",
    "ppc64le": "ppc64le",
    "s390x": "s390x",
    "riscv64": "riscv64",
}


def go_os() -> str:
    """``linux``, ``darwin``, ``windows``... as Go names the running OS."""
    if sys.platform.startswith("win"):
        return "windows"
    return sys.platform.removesuffix("2")  # "linux", "darwin", "freebsd" ("linux2" on very old Pythons)


def go_arch() -> str:
    """``amd64``, ``arm64``... as Go names the running CPU architecture."""
    machine = platform.machine().lower()
    return _ARCHES.get(machine, machine)


def user_agent() -> str:
    """``Grafana/<version> (<os>; <arch>)`` with Go's OS and architecture names, as Grafana sends it."""
    return f"Grafana/{GRAFANA_VERSION} ({go_os()}; {go_arch()})"
