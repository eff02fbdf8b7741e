"""Standalone mode: a plugin started by hand (as under a debugger) is attached by the host and by a Go host
configured like Grafana, and the host falls back to launching the plugin when the standalone process is gone.

The test plugin (``standalone_plugin/``) answers CheckHealth with the id of the answering process.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from grafana_plugin_sdk.testing import Stack, start_stack

TEMPLATE = Path(__file__).resolve().parent / "standalone_plugin"
PLUGIN_ID = "standalone-pid-datasource"
ADDRESS_VARIABLE = "GF_PLUGIN_GRPC_ADDRESS_STANDALONE_PID_DATASOURCE"


def copy_plugin(target: Path) -> Path:
    """A copy of the plugin folder (the standalone files are written into it)."""
    return Path(shutil.copytree(TEMPLATE, target, ignore=shutil.ignore_patterns("__pycache__")))


class StandalonePlugin:
    """``python -m standalone_pid_plugin --standalone`` in ``folder``; waits for standalone.txt and pid.txt."""

    def __init__(self, folder: Path, env: dict[str, str] | None = None, timeout: float = 30.0) -> None:
        self.folder = folder
        self.process = subprocess.Popen(
            [sys.executable, "-m", "standalone_pid_plugin", "--standalone"],
            cwd=folder,
            env={**os.environ, "PYTHONPATH": str(folder), **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + timeout
        while not (self.pid_file.is_file() and self.address_file.is_file() and self.address):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"standalone plugin did not start:\n{self.stderr()}")
            time.sleep(0.05)

    @property
    def pid_file(self) -> Path:
        return self.folder / "pid.txt"

    @property
    def address_file(self) -> Path:
        return self.folder / "standalone.txt"

    @property
    def address(self) -> str:
        return self.address_file.read_text() if self.address_file.is_file() else ""

    def stop(self, sig: signal.Signals = signal.SIGINT, timeout: float = 15.0) -> int:
        """Signal the process and wait for it; its exit status."""
        self.process.send_signal(sig)
        return self.process.wait(timeout)

    def kill(self) -> None:
        """Make sure the process is gone."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def stderr(self) -> str:
        """Its stderr (once it has exited)."""
        self.kill()
        assert self.process.stderr is not None
        return self.process.stderr.read()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return copy_plugin(tmp_path / "standalone-pid")


@pytest.fixture
def standalone(folder: Path) -> Iterator[StandalonePlugin]:
    plugin = StandalonePlugin(folder)
    try:
        yield plugin
    finally:
        plugin.kill()


def health(stack: Stack) -> dict[str, Any]:
    result: dict[str, Any] = stack.client.get("/api/datasources/uid/standalone/health")
    return result


def wait_for(check: Any, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = check()
            if value:
                return value
        except Exception:
            if time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.2)


def test_standalone_writes_its_files_and_removes_them_on_ctrl_c(standalone: StandalonePlugin) -> None:
    assert int(standalone.pid_file.read_text()) == standalone.process.pid
    host, _, port = standalone.address.rpartition(":")
    assert host == "127.0.0.1" and int(port) > 0
    assert oct(standalone.pid_file.stat().st_mode & 0o777) == oct(0o600)
    with socket.create_connection((host, int(port)), timeout=5):
        pass
    assert standalone.stop(signal.SIGINT) == 0
    assert not standalone.pid_file.exists() and not standalone.address_file.exists()


def test_host_switches_to_a_standalone_plugin_and_back(folder: Path) -> None:
    datasource = {"name": "Standalone", "type": PLUGIN_ID, "uid": "standalone", "access": "proxy"}
    with start_stack(plugins=[folder], datasources=[datasource]) as stack:
        launched = wait_for(lambda: health(stack))["details"]["pid"]
        standalone = StandalonePlugin(folder)
        try:
            # The launched plugin sees the standalone server, stops; the host restarts it and it attaches.
            attached = wait_for(lambda: health(stack)["details"]["pid"] == standalone.process.pid)
            assert attached and launched != standalone.process.pid
            standalone.stop(signal.SIGKILL)  # as a debugger session ends: the files stay behind, stale
            assert standalone.pid_file.exists()
            relaunched = wait_for(
                lambda: (pid := health(stack)["details"]["pid"]) not in (standalone.process.pid, launched) and pid
            )
            os.kill(relaunched, 0)  # a live process the host launched again
        finally:
            standalone.kill()


@pytest.mark.interop
def test_go_host_attaches_through_the_address_variable(folder: Path, go: Any) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        address = f":{probe.getsockname()[1]}"  # the Go SDK's form
    plugin = StandalonePlugin(folder, env={ADDRESS_VARIABLE: address})
    try:
        assert plugin.address == address
        plugin.address_file.unlink()  # the variable alone must be enough
        plugin.pid_file.unlink()
        env = {ADDRESS_VARIABLE: address, "GF_PLUGIN_PYTHON": sys.executable}
        script = {"env": env, "calls": [{"op": "CheckHealth"}, {"op": "CheckHealth"}]}
        report = go.host([folder / "gpx_standalone_pid_linux_amd64"], script)
        assert [r["health"]["details"] for r in report["results"]] == [{"pid": plugin.process.pid}] * 2
        assert plugin.process.poll() is None  # the host's Shutdown stops its stand-in, not the standalone plugin
        report = go.host([folder / "gpx_standalone_pid_linux_amd64"], script)
        assert report["results"][0]["health"]["details"] == {"pid": plugin.process.pid}
    finally:
        plugin.kill()
    report = go.host([folder / "gpx_standalone_pid_linux_amd64"], script)  # gone: the plugin serves itself
    pid = report["results"][0]["health"]["details"]["pid"]
    assert pid != plugin.process.pid and report["shutdown"]["graceful"] is True
