"""One run of a plugin executable: launch it as Grafana does, read the handshake, connect, health-check, stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2

from .errors import HandshakeError, PluginStartError
from .genproto.plugin import grpc_controller_pb2
from .handshake import HEALTH_SERVICE, Handshake, host_environment, parse_handshake
from .platform import go_arch, go_os
from .plugin_log import PluginLog, pump_lines
from .stubs import PluginStubs

log = logging.getLogger("grafana_plugin_sdk.wire")

_CHANNEL_OPTIONS = (
    ("grpc.max_receive_message_length", -1),
    ("grpc.max_send_message_length", -1),
    ("grpc.enable_http_proxy", 0),
)


@dataclass(frozen=True)
class LaunchSpec:
    """What it takes to run one plugin: its id, folder, ``executable`` (from plugin.json) and environment."""

    plugin_id: str
    directory: Path
    executable: str
    #: The plugin's environment besides go-plugin's own variables (which :class:`PluginProcess` adds).
    env: Mapping[str, str]
    #: Seconds to wait for the handshake line and the first health check (go-plugin: 1 minute).
    start_timeout: float = 60.0
    #: Seconds between Shutdown and SIGKILL when stopping (go-plugin: 2).
    stop_grace: float = 2.0


def plugin_settings_env(section: Mapping[str, str]) -> dict[str, str]:
    """Grafana's ``[plugin.<id>]`` settings as the plugin sees them: ``GF_PLUGIN_<KEY>`` (``path`` and ``id`` are
    the host's own and are not passed)."""
    return {f"GF_PLUGIN_{key.upper()}": value for key, value in section.items() if key not in ("path", "id")}


def executable_candidates(directory: Path, executable: str) -> list[Path]:
    """Where the executable may be: ``<executable>_<os>_<arch>[.exe]``, then plain ``<executable>``."""
    suffix = ".exe" if go_os() == "windows" else ""
    base = directory / executable
    return [base.with_name(f"{base.name}_{go_os()}_{go_arch()}{suffix}"), base.with_name(base.name + suffix)]


def find_executable(spec: LaunchSpec) -> Path:
    """The first executable candidate that exists and may be run; PluginStartError naming all tried."""
    candidates = executable_candidates(spec.directory, spec.executable)
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return path
    tried = ", ".join(str(p) for p in candidates)
    raise PluginStartError(f"plugin {spec.plugin_id} has no executable for {go_os()}/{go_arch()} (tried {tried})")


def parent_death_prefix() -> list[str]:
    """A command prefix asking Linux to SIGKILL the plugin when the host dies (``setpriv --pdeathsig``).

    No ``preexec_fn``: running Python in a child forked from a process with gRPC threads can crash it.
    Empty where setpriv is missing; the host's own shutdown and the process group still stop the plugin.
    """
    setpriv = shutil.which("setpriv") if sys.platform.startswith("linux") else None
    return [setpriv, "--pdeathsig", "KILL", "--"] if setpriv else []


def _describe_exit(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"was killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"was killed by signal {-returncode}"
    return f"exited with code {returncode}"


def _kill_group(pgid: int) -> None:
    """SIGKILL the plugin's process group: the plugin and anything it started."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


async def _wait_group_gone(pgid: int, seconds: float = 0.5) -> None:
    """Give the kernel a moment to end the killed group (zombies left to another reaper keep it for longer)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return
        await asyncio.sleep(0.01)


class PluginProcess:
    """One run of a plugin: :meth:`start` launches and connects it, :meth:`stop` ends it (once, no orphans)."""

    def __init__(self, spec: LaunchSpec) -> None:
        self.spec = spec
        self._log = PluginLog(spec.plugin_id)
        self._proc: asyncio.subprocess.Process | None = None
        self._handshake_line: asyncio.Future[bytes] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._exited = asyncio.Event()
        self._channel: grpc.aio.Channel | None = None
        self._stubs: PluginStubs | None = None
        self._stopping: asyncio.Future[None] | None = None
        self.handshake: Handshake | None = None
        self.started_at = 0.0
        #: True once handshake and health check succeeded.
        self.ready = False

    @property
    def pid(self) -> int | None:
        """The process id once launched."""
        return self._proc.pid if self._proc is not None else None

    @property
    def channel(self) -> grpc.aio.Channel:
        """The gRPC channel to the plugin (after a successful start)."""
        if self._channel is None:
            raise PluginStartError(f"plugin {self.spec.plugin_id} is not connected")
        return self._channel

    @property
    def stubs(self) -> PluginStubs:
        """The client stubs on the plugin's channel (after a successful start)."""
        if self._stubs is None or self._channel is None:
            raise PluginStartError(f"plugin {self.spec.plugin_id} is not connected")
        return self._stubs

    @property
    def exited(self) -> bool:
        """Whether the process has exited (and was reaped)."""
        return self._exited.is_set()

    def exit_description(self) -> str:
        """How the process ended, e.g. ``exited with code 1`` or ``was killed by SIGKILL``."""
        if self._proc is None or self._proc.returncode is None:
            return "is running"
        return _describe_exit(self._proc.returncode)

    async def wait_exited(self, seconds: float | None = None) -> bool:
        """Wait up to ``seconds`` (None: no limit) for the process to exit; whether it has."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._exited.wait(), seconds)
        return self.exited

    async def start(self) -> None:
        """Launch, read the handshake, connect and check health; PluginStartError (process killed) on failure."""
        try:
            await self._start()
        except BaseException:
            await asyncio.shield(self.stop(grace=0))
            raise

    async def _start(self) -> None:
        spec, timeout = self.spec, self.spec.start_timeout
        deadline = time.monotonic() + timeout
        executable = find_executable(spec)
        loop = asyncio.get_running_loop()
        self._handshake_line = loop.create_future()
        try:
            self._proc = await asyncio.create_subprocess_exec(
                *parent_death_prefix(),
                str(executable),
                cwd=spec.directory,
                env={**spec.env, **host_environment()},
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                start_new_session=True,
            )
        except OSError as exc:
            raise PluginStartError(f"plugin {spec.plugin_id}: cannot run {executable}: {exc.strerror or exc}") from None
        self.started_at = time.monotonic()
        assert self._proc.stdout is not None and self._proc.stderr is not None
        self._tasks = [
            asyncio.create_task(
                pump_lines(self._proc.stdout, self._stdout_line), name=f"plugin {spec.plugin_id} stdout"
            ),
            asyncio.create_task(
                pump_lines(self._proc.stderr, self._log.stderr_line), name=f"plugin {spec.plugin_id} stderr"
            ),
            asyncio.create_task(self._watch_exit(), name=f"plugin {spec.plugin_id} exit"),
        ]
        try:
            line = await asyncio.wait_for(asyncio.shield(self._handshake_line), max(deadline - time.monotonic(), 0))
        except TimeoutError:
            raise PluginStartError(f"plugin {spec.plugin_id} printed no handshake line within {timeout:g} s") from None
        try:
            self.handshake = parse_handshake(line)
        except HandshakeError as exc:
            raise PluginStartError(f"plugin {spec.plugin_id}: {exc}") from None
        self._channel = grpc.aio.insecure_channel(self.handshake.target, options=_CHANNEL_OPTIONS)
        self._stubs = PluginStubs(self._channel)
        await self._check_started_health(max(deadline - time.monotonic(), 1.0))
        self.ready = True
        log.debug("plugin %s handshake: %s %s", spec.plugin_id, self.handshake.network, self.handshake.address)

    async def _check_started_health(self, seconds: float) -> None:
        request = health_pb2.HealthCheckRequest(service=HEALTH_SERVICE)
        try:
            reply = await self.stubs.health.Check(
                request, timeout=seconds
            )  # the plugin listens before it prints the handshake
        except grpc.aio.AioRpcError as exc:
            if self.exited:
                raise self._exited_error("while connecting") from None
            raise PluginStartError(
                f"plugin {self.spec.plugin_id} did not answer the health check at {self.handshake.address if self.handshake else '?'}: "
                f"{exc.code().name} {exc.details() or ''}".rstrip()
            ) from None
        if reply.status != health_pb2.HealthCheckResponse.SERVING:
            status = health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)
            raise PluginStartError(
                f"plugin {self.spec.plugin_id} health service {HEALTH_SERVICE!r} is {status}, not SERVING"
            )

    def _exited_error(self, when: str) -> PluginStartError:
        message = f"plugin {self.spec.plugin_id} {self.exit_description()} {when}"
        if recent := self._log.recent():
            message += "; last output: " + " | ".join(recent[-3:])
        return PluginStartError(message)

    def _stdout_line(self, line: bytes) -> None:
        if self._handshake_line is not None and not self._handshake_line.done():
            self._handshake_line.set_result(line)
        else:
            self._log.stdout_line(line)

    async def _watch_exit(self) -> None:
        assert self._proc is not None
        await self._proc.wait()
        self._exited.set()
        if self._handshake_line is not None and not self._handshake_line.done():
            # Let the readers catch the last output so the error can show it.
            await asyncio.wait(self._tasks[:2], timeout=0.5)
            if not self._handshake_line.done():
                self._handshake_line.set_exception(self._exited_error("before printing a handshake line"))

    async def _close_channel(self) -> None:
        channel, self._channel = self._channel, None
        if channel is not None:
            await channel.close(grace=None)

    async def healthy(self, seconds: float) -> bool:
        """One liveness check: the ``plugin`` health service answers SERVING within ``seconds``."""
        stubs = self._stubs
        if stubs is None or self._channel is None or self.exited:
            return False
        request = health_pb2.HealthCheckRequest(service=HEALTH_SERVICE)
        try:
            reply = await stubs.health.Check(request, timeout=seconds)
        except grpc.aio.AioRpcError:
            return False
        return bool(reply.status == health_pb2.HealthCheckResponse.SERVING)

    async def stop(self, grace: float | None = None) -> None:
        """Shutdown RPC, wait up to ``grace`` s (default ``stop_grace``) for exit, then SIGKILL the process group.

        Safe to call several times and concurrently: every caller waits for the one stop.
        """
        if self._stopping is None:
            grace = self.spec.stop_grace if grace is None else grace
            self._stopping = asyncio.ensure_future(self._stop(grace))
        await asyncio.shield(self._stopping)

    async def _stop(self, grace: float) -> None:
        self.ready = False
        proc = self._proc
        try:
            if proc is not None and not self.exited and grace > 0:
                deadline = time.monotonic() + grace
                await self._request_shutdown(grace)
                await self._close_channel()
                await self.wait_exited(max(deadline - time.monotonic(), 0.0))
        finally:
            if proc is not None:
                _kill_group(proc.pid)
        if proc is not None:
            await self._exited.wait()
            await _wait_group_gone(proc.pid)
            _, pending = await asyncio.wait(self._tasks, timeout=1.0)
            for task in pending:
                task.cancel()
        await self._close_channel()

    async def _request_shutdown(self, seconds: float) -> None:
        stubs = self._stubs
        if stubs is None or self._channel is None:
            return
        with contextlib.suppress(grpc.aio.AioRpcError):
            await stubs.controller.Shutdown(grpc_controller_pb2.Empty(), timeout=seconds)
