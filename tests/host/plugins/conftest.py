"""Fixtures for the plugin tests: plugin folders with launcher scripts, started managers, /proc checks.

Every manager a test starts is stopped afterwards, and the fixture checks that no process of any plugin it
ran (or anything such a process started) is left.
"""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from grafana_plugin_host.config import load_settings
from grafana_plugin_host.plugins import PluginManager, ProcessOptions
from grafana_plugin_sdk.wire.platform import go_arch, go_os

FAKE_PLUGIN = Path(__file__).with_name("fake_plugin.py")
SDK_PLUGIN = Path(__file__).with_name("sdk_plugin.py")
#: Short timeouts so the failure cases finish quickly.
FAST = ProcessOptions(
    start_timeout=10.0,
    stop_grace=2.0,
    restart_delay=0.3,
    max_restart_delay=1.2,
    stable_after=30.0,
    health_interval=0.5,
    health_timeout=2.0,
    health_failures=2,
)


def _proc_fields(pid: int | str) -> list[str] | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, NotADirectoryError):
        return None
    return stat.rsplit(")", 1)[1].split()


def alive(pid: int) -> bool:
    """Whether ``pid`` exists and is not a zombie."""
    fields = _proc_fields(pid)
    return fields is not None and fields[0] not in ("Z", "X")


def group_members(pgid: int) -> list[int]:
    """Live processes in process group ``pgid``."""
    members = []
    for entry in os.listdir("/proc"):
        fields = _proc_fields(entry) if entry.isdigit() else None
        if fields is not None and int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            members.append(int(entry))
    return members


def processes_under(folder: Path) -> list[int]:
    """Live processes whose working directory is ``folder`` or below (plugins run in their folder)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or not alive(int(entry)):
            continue
        try:
            cwd = Path(os.readlink(f"/proc/{entry}/cwd"))
        except OSError:
            continue
        if cwd.is_relative_to(folder):
            found.append(int(entry))
    return found


@pytest.fixture
def plugins_dir(tmp_path: Path) -> Path:
    """The plugins folder of the test's host."""
    folder = tmp_path / "plugins"
    folder.mkdir()
    return folder


@pytest.fixture
def make_plugin(plugins_dir: Path) -> Callable[..., Path]:
    """``make_plugin(id, mode="good", tcp=False, script=FAKE_PLUGIN, **plugin_json_keys)``: a folder with
    plugin.json and a launcher ``gpx_<id>_<os>_<arch>`` that runs the script (fake_plugin.py) in that mode."""

    def make(plugin_id: str, mode: str = "good", *, tcp: bool = False, script: Path = FAKE_PLUGIN, **keys: Any) -> Path:
        folder = plugins_dir / plugin_id
        folder.mkdir()
        meta = {
            "id": plugin_id,
            "type": "datasource",
            "name": plugin_id.title(),
            "backend": True,
            "executable": f"gpx_{plugin_id}",
            "info": {"version": "1.0.0"},
            **keys,
        }
        (folder / "plugin.json").write_bytes(orjson.dumps(meta))
        launcher = folder / f"gpx_{plugin_id}_{go_os()}_{go_arch()}"
        args = f'"{sys.executable}" "{script}" {mode}' + (" --tcp" if tcp else "")
        launcher.write_text(f'#!/bin/sh\nexec {args} "$@"\n', encoding="utf-8")
        launcher.chmod(0o755)
        return folder

    return make


StartManager = Callable[..., Awaitable[PluginManager]]


def live_pids(manager: PluginManager) -> list[int]:
    """The pids of the manager's running plugin processes."""
    supervisors = [manager.supervisor(meta.id) for meta in manager.plugins()]
    return [s.process.pid for s in supervisors if s is not None and s.process is not None and s.process.pid]


@pytest.fixture
async def start_manager(plugins_dir: Path) -> AsyncIterator[StartManager]:
    """``await start_manager(ini="", options=FAST, **env)``: a started PluginManager over ``plugins_dir`` with
    every plugin id there allowed unsigned; stopped at teardown, leaving no plugin process behind."""
    managers: list[PluginManager] = []
    seen: set[int] = set()

    async def start(ini: str = "", options: ProcessOptions = FAST, **env: str) -> PluginManager:
        ids = ",".join(sorted(os.listdir(plugins_dir)))
        environ = {"GF_PATHS_PLUGINS": str(plugins_dir), "GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS": ids, **env}
        manager = PluginManager(load_settings(ini, environ), options=options)
        managers.append(manager)
        await manager.start()
        return manager

    def remember() -> None:
        for manager in managers:
            seen.update(live_pids(manager))

    yield start
    remember()
    for manager in managers:
        await manager.stop()
    leftovers = {pid: group_members(pid) for pid in seen if group_members(pid)}
    assert not leftovers, f"plugin processes left after stop: {leftovers}"
    assert not processes_under(plugins_dir), "processes still running in the plugin folders"


@pytest.fixture
def sdk_plugin_script() -> Path:
    """A plugin written with ``grafana_plugin_sdk.serve``."""
    return SDK_PLUGIN


@pytest.fixture
def proc_alive() -> Callable[[int], bool]:
    """Whether a pid is a live (non-zombie) process."""
    return alive


@pytest.fixture
def proc_group() -> Callable[[int], list[int]]:
    """The live members of a process group."""
    return group_members


@pytest.fixture
def procs_under() -> Callable[[Path], list[int]]:
    """The live processes working in a folder."""
    return processes_under
