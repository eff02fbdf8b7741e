"""One run of a plugin executable: launch as Grafana does, read the handshake, connect, health-check, stop."""

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
from grpc_health.v1 import health_pb2, health_pb2_grpc

from grafana_plugin_sdk._protogen.plugin import grpc_controller_pb2, grpc_controller_pb2_grpc
from host.config import GRAFANA_VERSION, Settings
from host.errors import PluginError
from host.tracing import plugin_tracing_env

from ._discovery import PluginMeta
from ._handshake import APP_PROTOCOL_VERSIONS, Handshake, HandshakeError, parse_handshake
from ._logs import PluginLog, pump_lines
from ._platform import go_arch, go_os

log = logging.getLogger("host.plugins")

MAGIC_COOKIE_KEY = "grafana_plugin_type"
MAGIC_COOKIE_VALUE = "datasource"
#: gRPC health service name go-plugin servers report as SERVING.
HEALTH_SERVICE = "plugin"
_CHANNEL_OPTIONS = (
    ("grpc.max_receive_message_length", -1),
    ("grpc.max_send_message_length", -1),
    ("grpc.enable_http_proxy", 0),
)


@dataclass(frozen=True)
class ProcessOptions:
    """Timeouts and the restart policy for plugin processes (Grafana's values by default)."""

    #: Seconds to wait for the handshake line and the first health check (go-plugin: 1 minute).
    start_timeout: float = 60.0
    #: Seconds between Shutdown and SIGKILL when stopping (go-plugin: 2).
    stop_grace: float = 2.0
    #: First delay before restarting a plugin that keeps failing; doubles up to ``max_restart_delay``.
    restart_delay: float = 1.0
    max_restart_delay: float = 30.0
    #: A run this long resets the backoff (the next failure restarts at once).
    stable_after: float = 10.0
    #: Seconds between liveness checks; ``health_failures`` failed checks in a row restart the plugin.
    health_interval: float = 5.0
    health_timeout: float = 5.0
    health_failures: int = 3

    def restart_backoff(self, failures: int) -> float:
        """Seconds to wait before the next start after ``failures`` failures in a row (first retry at once)."""
        if failures <= 1:
            return 0.0
        return min(self.restart_delay * 2.0 ** (failures - 2), self.max_restart_delay)


class PluginStartError(PluginError):
    """A plugin process could not be started (no executable, crashed, bad handshake, timeout, not healthy)."""


def executable_candidates(meta: PluginMeta) -> list[Path]:
    """Where the executable may be: ``<executable>_<os>_<arch>[.exe]``, then plain ``<executable>``."""
    suffix = ".exe" if go_os() == "windows" else ""
    base = meta.directory / meta.executable
    return [base.with_name(f"{base.name}_{go_os()}_{go_arch()}{suffix}"), base.with_name(base.name + suffix)]


def find_executable(meta: PluginMeta) -> Path:
    """The first executable candidate that exists and may be run; PluginStartError naming all tried."""
    candidates = executable_candidates(meta)
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return path
    tried = ", ".join(str(p) for p in candidates)
    raise PluginStartError(f"plugin {meta.id} has no executable for {go_os()}/{go_arch()} (tried {tried})")


def plugin_environment(meta: PluginMeta, settings: Settings, environ: Mapping[str, str]) -> dict[str, str]:
    """The plugin's environment: ``GF_PLUGIN_*`` from ``[plugin.<id>]`` (host env overrides), the host env,
    then go-plugin's protocol variables and Grafana's ``GF_*`` variables."""
    env = {
        f"GF_PLUGIN_{key.upper()}": value
        for key, value in settings.plugin_settings.get(meta.id, {}).items()
        if key not in ("path", "id")
    }
    env.update(plugin_tracing_env(settings, meta.version))
    env.update(environ)
    env.update(
        {
            MAGIC_COOKIE_KEY: MAGIC_COOKIE_VALUE,
            "PLUGIN_PROTOCOL_VERSIONS": ",".join(map(str, APP_PROTOCOL_VERSIONS)),
            "PLUGIN_MIN_PORT": "10000",
            "PLUGIN_MAX_PORT": "25000",
            "GF_VERSION": GRAFANA_VERSION,
            "GF_APP_URL": settings.app_url,
        }
    )
    if settings.feature_toggles:
        env["GF_INSTANCE_FEATURE_TOGGLES_ENABLE"] = ",".join(sorted(settings.feature_toggles))
    return env


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

    def __init__(self, meta: PluginMeta, settings: Settings, options: ProcessOptions) -> None:
        self.meta = meta
        self._settings = settings
        self._options = options
        self._log = PluginLog(meta.id)
        self._proc: asyncio.subprocess.Process | None = None
        self._handshake_line: asyncio.Future[bytes] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._exited = asyncio.Event()
        self._channel: grpc.aio.Channel | None = None
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
            raise PluginStartError(f"plugin {self.meta.id} is not connected")
        return self._channel

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
        meta, timeout = self.meta, self._options.start_timeout
        deadline = time.monotonic() + timeout
        executable = find_executable(meta)
        loop = asyncio.get_running_loop()
        self._handshake_line = loop.create_future()
        try:
            self._proc = await asyncio.create_subprocess_exec(
                *parent_death_prefix(),
                str(executable),
                cwd=meta.directory,
                env=plugin_environment(meta, self._settings, os.environ),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                start_new_session=True,
            )
        except OSError as exc:
            raise PluginStartError(f"plugin {meta.id}: cannot run {executable}: {exc.strerror or exc}") from None
        self.started_at = time.monotonic()
        assert self._proc.stdout is not None and self._proc.stderr is not None
        self._tasks = [
            asyncio.create_task(pump_lines(self._proc.stdout, self._stdout_line), name=f"plugin {meta.id} stdout"),
            asyncio.create_task(pump_lines(self._proc.stderr, self._log.stderr_line), name=f"plugin {meta.id} stderr"),
            asyncio.create_task(self._watch_exit(), name=f"plugin {meta.id} exit"),
        ]
        try:
            line = await asyncio.wait_for(asyncio.shield(self._handshake_line), max(deadline - time.monotonic(), 0))
        except TimeoutError:
            raise PluginStartError(f"plugin {meta.id} printed no handshake line within {timeout:g} s") from None
        try:
            self.handshake = parse_handshake(line)
        except HandshakeError as exc:
            raise PluginStartError(f"plugin {meta.id}: {exc}") from None
        self._channel = grpc.aio.insecure_channel(self.handshake.target, options=_CHANNEL_OPTIONS)
        await self._check_started_health(max(deadline - time.monotonic(), 1.0))
        self.ready = True
        log.debug("plugin %s handshake: %s %s", meta.id, self.handshake.network, self.handshake.address)

    async def _check_started_health(self, seconds: float) -> None:
        stub = health_pb2_grpc.HealthStub(self.channel)
        request = health_pb2.HealthCheckRequest(service=HEALTH_SERVICE)
        try:
            reply = await stub.Check(request, timeout=seconds)  # the plugin listens before it prints the handshake
        except grpc.aio.AioRpcError as exc:
            if self.exited:
                raise self._exited_error("while connecting") from None
            raise PluginStartError(
                f"plugin {self.meta.id} did not answer the health check at {self.handshake.address if self.handshake else '?'}: "
                f"{exc.code().name} {exc.details() or ''}".rstrip()
            ) from None
        if reply.status != health_pb2.HealthCheckResponse.SERVING:
            status = health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)
            raise PluginStartError(f"plugin {self.meta.id} health service {HEALTH_SERVICE!r} is {status}, not SERVING")

    def _exited_error(self, when: str) -> PluginStartError:
        message = f"plugin {self.meta.id} {self.exit_description()} {when}"
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
        channel = self._channel
        if channel is None or self.exited:
            return False
        request = health_pb2.HealthCheckRequest(service=HEALTH_SERVICE)
        try:
            reply = await health_pb2_grpc.HealthStub(channel).Check(request, timeout=seconds)
        except grpc.aio.AioRpcError:
            return False
        return bool(reply.status == health_pb2.HealthCheckResponse.SERVING)

    async def stop(self, grace: float | None = None) -> None:
        """Shutdown RPC, wait up to ``grace`` s (default ``stop_grace``) for exit, then SIGKILL the process group.

        Safe to call several times and concurrently: every caller waits for the one stop.
        """
        if self._stopping is None:
            grace = self._options.stop_grace if grace is None else grace
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
        channel = self._channel
        if channel is None:
            return
        stub = grpc_controller_pb2_grpc.GRPCControllerStub(channel)
        with contextlib.suppress(grpc.aio.AioRpcError):
            await stub.Shutdown(grpc_controller_pb2.Empty(), timeout=seconds)
