"""Keeps one backend plugin running: starts it, watches exit and health, restarts with a capped backoff."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from grafana_plugin_host.config import Settings
from grafana_plugin_host.errors import PluginUnavailableError
from grafana_plugin_sdk.plugin_json import PluginMeta
from grafana_plugin_sdk.wire import PluginProcess, PluginStartError

from ._launch import ProcessOptions, launch_spec

log = logging.getLogger("grafana_plugin_host.plugins")


class Supervisor:
    """Runs a plugin's process loop; :meth:`running` gives the live process or raises PluginUnavailableError."""

    def __init__(self, meta: PluginMeta, settings: Settings, options: ProcessOptions) -> None:
        self.meta = meta
        self._settings = settings
        self._options = options
        self._task: asyncio.Task[None] | None = None
        self._first_attempt = asyncio.Event()
        self._process: PluginProcess | None = None
        self._reason = "it has not been started"
        self._failures = 0
        self._stopped = False
        #: How many times a process was started successfully (for status and tests).
        self.starts = 0

    @property
    def process(self) -> PluginProcess | None:
        """The live process, if any."""
        proc = self._process
        return proc if proc is not None and proc.ready and not proc.exited else None

    def running(self) -> PluginProcess:
        """The live process; PluginUnavailableError (with the reason) while it is down or starting."""
        proc = self.process
        if proc is None:
            raise PluginUnavailableError(f"plugin {self.meta.id} is unavailable: {self._reason}")
        return proc

    async def ensure_started(self) -> None:
        """Start the loop if needed and wait for the first start attempt to finish (successful or not)."""
        if self._task is None and not self._stopped:
            self._reason = "it is starting"
            self._task = asyncio.create_task(self._run(), name=f"plugin {self.meta.id} supervisor")
        await self._first_attempt.wait()

    async def stop(self) -> None:
        """Stop supervising and stop the process (Shutdown, grace period, kill); it is not started again."""
        self._stopped = True
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        proc, self._process = self._process, None
        if proc is not None:
            await proc.stop()
        self._reason = "the host is stopping"
        self._first_attempt.set()

    async def _run(self) -> None:
        while True:
            try:
                await self._run_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # a bug here must not end supervision
                log.exception("plugin %s: supervisor error", self.meta.id)
                self._failures += 1
                proc, self._process = self._process, None
                if proc is not None:
                    await proc.stop(grace=0)
            self._first_attempt.set()
            await asyncio.sleep(self._options.restart_backoff(self._failures))

    async def _run_once(self) -> None:
        meta = self.meta
        proc = self._process = PluginProcess(launch_spec(meta, self._settings, self._options))
        try:
            await proc.start()
        except PluginStartError as exc:
            self._process = None
            self._failures += 1
            self._reason = f"it failed to start: {exc}"
            delay = self._options.restart_backoff(self._failures)
            log.error("plugin %s failed to start (attempt %d, next in %.0f s): %s", meta.id, self._failures, delay, exc)
            return
        self.starts += 1
        self._first_attempt.set()
        log.info("plugin %s started (pid %s)", meta.id, proc.pid)
        reason = await self._watch(proc)
        self._reason = f"it {reason}; restarting"
        if time.monotonic() - proc.started_at >= self._options.stable_after:
            self._failures = 0
        self._failures += 1
        log.warning("plugin %s %s; restarting", meta.id, reason)
        await proc.stop(grace=0)
        self._process = None

    async def _watch(self, proc: PluginProcess) -> str:
        """Wait until the process exits or fails its health checks; why it stopped."""
        opts, failed = self._options, 0
        next_check = time.monotonic() + opts.health_interval
        while True:  # a check starts every health_interval seconds, however long the previous one took
            if await proc.wait_exited(max(0.0, next_check - time.monotonic())):
                return proc.exit_description()
            next_check = time.monotonic() + opts.health_interval
            if await proc.healthy(opts.health_timeout):
                failed = 0
                continue
            if proc.exited:
                return proc.exit_description()
            failed += 1
            log.warning("plugin %s failed a health check (%d of %d)", self.meta.id, failed, opts.health_failures)
            if failed >= opts.health_failures:
                return f"stopped answering health checks ({failed} in a row)"
