"""Build targets: Grafana's ``<os>_<arch>`` launcher suffixes, their pip platform tags, supported CPythons."""

from __future__ import annotations

import platform
import sys
from dataclasses import dataclass

#: CPython versions a build vendors for by default (the SDK needs 3.11 or later).
DEFAULT_PYTHONS = ("3.11", "3.12", "3.13")
MIN_PYTHON = (3, 11)

#: Wheel platform tags pip may pick per target, best first. Linux: glibc 2.28 or later (manylinux_2_28, and the
#: older manylinux2014 wheels); macOS: pip widens a macosx tag to every older macOS and to universal2 wheels.
_PLATFORMS = {
    "linux_amd64": ("manylinux_2_28_x86_64", "manylinux2014_x86_64"),
    "linux_arm64": ("manylinux_2_28_aarch64", "manylinux2014_aarch64"),
    "darwin_arm64": ("macosx_14_0_arm64",),
    "darwin_amd64": ("macosx_14_0_x86_64",),
}
DEFAULT_TARGETS = tuple(_PLATFORMS)


_MACHINES = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}


def host_platform() -> str:
    """This machine's ``<os>_<arch>`` as Grafana spells it (``linux_amd64``, ``darwin_arm64``...)."""
    machine = platform.machine().lower()
    return f"{sys.platform.removesuffix('2')}_{_MACHINES.get(machine, machine)}"


class TargetError(ValueError):
    """An unknown target or unsupported Python version."""


@dataclass(frozen=True)
class Target:
    """One launcher: an ``<os>_<arch>`` and one CPython version vendored for it."""

    platform: str
    python: str

    @property
    def abi(self) -> str:
        """``cp311`` for 3.11."""
        return "cp" + self.python.replace(".", "")

    @property
    def lib_dir(self) -> str:
        """The folder of ``dist/lib`` holding this target's own (binary) packages."""
        return f"{self.platform}-{self.abi}"

    @property
    def pip_platforms(self) -> tuple[str, ...]:
        """pip ``--platform`` values."""
        return _PLATFORMS[self.platform]


def parse_targets(platforms: list[str] | None, pythons: list[str] | None) -> list[Target]:
    """Every (platform, python) pair asked for; defaults for what is not given."""
    chosen = platforms or list(DEFAULT_TARGETS)
    unknown = [p for p in chosen if p not in _PLATFORMS]
    if unknown:
        raise TargetError(f"unknown target {', '.join(unknown)} (known: {', '.join(_PLATFORMS)})")
    versions = pythons or list(DEFAULT_PYTHONS)
    for version in versions:
        major, _, minor = version.partition(".")
        if not (major.isdigit() and minor.isdigit()) or (int(major), int(minor)) < MIN_PYTHON:
            raise TargetError(f"Python {version!r}: give a CPython version like 3.12, at least 3.11")
    return [Target(p, v) for p in dict.fromkeys(chosen) for v in dict.fromkeys(versions)]
