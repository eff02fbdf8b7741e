"""Helpers for the SDK tests: launch a plugin program as a host would and talk to it over real gRPC."""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import grpc
import pytest

from grafana_plugin_sdk.wire.genproto import backend_pb2 as pb

PLUGINS = Path(__file__).resolve().parent / "plugins"
HOST_ENV = {"grafana_plugin_type": "datasource", "PLUGIN_PROTOCOL_VERSIONS": "2"}


@dataclass
class PluginProcess:
    """A running plugin subprocess, its handshake and a gRPC channel to it."""

    proc: subprocess.Popen[bytes]
    stderr_path: Path
    handshake: str
    seconds_to_handshake: float
    channel: grpc.Channel
    extra_stdout: list[bytes] = field(default_factory=list)

    @property
    def parts(self) -> list[str]:
        """The handshake line split on ``|``."""
        return self.handshake.split("|")

    def stderr(self) -> str:
        """Everything the plugin wrote to stderr so far."""
        return self.stderr_path.read_text(errors="replace")

    def wait_exit(self, timeout: float) -> int | None:
        """The exit code, or None when still running after ``timeout`` seconds."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def read_stdout_rest(self) -> bytes:
        """What the plugin wrote to its real stdout after the handshake (call once it exited)."""
        assert self.proc.stdout is not None
        return self.proc.stdout.read()


def read_line(proc: subprocess.Popen[bytes], timeout: float) -> bytes:
    """The first line of ``proc``'s stdout, waiting at most ``timeout`` seconds (b"" on EOF or timeout)."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    deadline = time.monotonic() + timeout
    data = b""
    while b"\n" not in data:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            break
        chunk = os.read(fd, 1)
        if not chunk:
            break
        data += chunk
    return data


def start_process(
    program: Path, env: Mapping[str, str], workdir: Path, args: tuple[str, ...] = ()
) -> tuple[subprocess.Popen[bytes], Path]:
    """Start ``program`` with ``env`` (on top of ours), stderr to a file in ``workdir``."""
    stderr_path = workdir / f"{program.stem}.stderr"
    full_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONUNBUFFERED", *HOST_ENV)}
    full_env.update(env)
    with stderr_path.open("wb") as stderr:
        proc = subprocess.Popen(
            [sys.executable, str(program), *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=full_env,
        )
    return proc, stderr_path


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    """Make sure ``proc`` is gone: SIGTERM, then SIGKILL."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(3)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()


def channel_for(handshake: str) -> grpc.Channel:
    """A gRPC channel to the address of a handshake line."""
    parts = handshake.split("|")
    target = f"unix:{parts[3]}" if parts[2] == "unix" else parts[3]
    channel = grpc.insecure_channel(target, options=[("grpc.max_receive_message_length", -1)])
    grpc.channel_ready_future(channel).result(timeout=5)
    return channel


@pytest.fixture
def workdir() -> Iterator[Path]:
    """A short temporary directory (unix socket paths must stay under 108 bytes)."""
    path = Path(tempfile.mkdtemp(prefix="gp-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def launch(workdir: Path) -> Iterator[Callable[..., PluginProcess]]:
    """Start plugin programs from tests/sdk/plugins as a host does; all are stopped after the test."""
    started: list[PluginProcess] = []
    raw: list[subprocess.Popen[bytes]] = []

    def start(program: str | Path, env: Mapping[str, str] | None = None, *args: str) -> PluginProcess:
        path = program if isinstance(program, Path) else PLUGINS / program
        host_env = {**HOST_ENV, "PLUGIN_UNIX_SOCKET_DIR": str(workdir), **(env or {})}
        begin = time.monotonic()
        proc, stderr_path = start_process(path, host_env, workdir, args)
        raw.append(proc)
        line = read_line(proc, 20).decode()
        elapsed = time.monotonic() - begin
        assert line.endswith("\n"), f"no handshake line; stdout={line!r}; stderr={stderr_path.read_text()}"
        plugin = PluginProcess(proc, stderr_path, line.rstrip("\n"), elapsed, channel_for(line.strip()))
        started.append(plugin)
        return plugin

    yield start
    for plugin in started:
        plugin.channel.close()
    for proc in raw:
        stop_process(proc)


def plugin_context(
    *, ds_id: int = 1, uid: str = "ds-uid", name: str = "My DS", json_data: bytes = b"{}", updated_ms: int = 1000
) -> pb.PluginContext:
    """A PluginContext message as a host sends it for a data source call."""
    return pb.PluginContext(
        orgId=1,
        pluginId="test-datasource",
        pluginVersion="1.0.0",
        user=pb.User(login="admin", name="Admin", email="a@example.com", role="Admin"),
        dataSourceInstanceSettings=pb.DataSourceInstanceSettings(
            id=ds_id,
            uid=uid,
            name=name,
            url="http://example.invalid",
            jsonData=json_data,
            decryptedSecureJsonData={"password": "s3cret"},
            lastUpdatedMS=updated_ms,
        ),
        grafanaConfig={"GF_CONCURRENT_QUERY_COUNT": "10"},
        userAgent="Grafana/11.0.0 (linux; amd64)",
    )


def query(ref_id: str, query_type: str = "", **model: object) -> pb.DataQuery:
    """A DataQuery message whose JSON model holds ``model``."""
    import orjson

    return pb.DataQuery(
        refId=ref_id,
        queryType=query_type,
        maxDataPoints=100,
        intervalMS=1000,
        timeRange=pb.TimeRange(fromEpochMS=0, toEpochMS=3_600_000),
        json=orjson.dumps({"refId": ref_id, **model}),
    )


@pytest.fixture
def make_context() -> Callable[..., pb.PluginContext]:
    """Builds PluginContext messages (see :func:`plugin_context`)."""
    return plugin_context


@pytest.fixture
def make_query() -> Callable[..., pb.DataQuery]:
    """Builds DataQuery messages (see :func:`query`)."""
    return query


@dataclass
class Finished:
    """A plugin run that ended on its own: exit code and both outputs."""

    returncode: int
    stdout: bytes
    stderr: str


@pytest.fixture
def run_to_exit(workdir: Path) -> Callable[..., Finished]:
    """Run a plugin program with exactly ``env`` as its host variables and wait (10 s at most) for it to exit."""

    def run(program: str, env: Mapping[str, str]) -> Finished:
        proc, stderr_path = start_process(PLUGINS / program, {"PLUGIN_UNIX_SOCKET_DIR": str(workdir), **env}, workdir)
        try:
            stdout, _ = proc.communicate(timeout=10)
        finally:
            stop_process(proc)
        return Finished(proc.returncode, stdout, stderr_path.read_text())

    return run
