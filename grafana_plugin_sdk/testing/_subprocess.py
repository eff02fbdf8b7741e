"""Subprocess depth: start a plugin exactly as a host does (the wire layer), talk gRPC, stop it, keep its logs."""

from __future__ import annotations

import dataclasses
import logging
import os
import shlex
import shutil
import sys
import tempfile
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

import grpc
import orjson

from grafana_plugin_sdk.backend import (
    CallResourceRequest,
    CallResourceResponse,
    CheckHealthRequest,
    CheckHealthResult,
    CollectMetricsRequest,
    CollectMetricsResult,
    DataSourceInstanceSettings,
    QueryDataRequest,
    QueryDataResponse,
)
from grafana_plugin_sdk.plugin_json import PluginMeta, parse_plugin_json
from grafana_plugin_sdk.wire import LaunchSpec, PluginCallError, PluginProcess, PluginStubs, convert
from grafana_plugin_sdk.wire.process import plugin_settings_env

from ._plugin_client import AsyncPluginTestClient
from ._sync import PluginTestClient

_LAUNCHER = "plugin"


class _LogCapture(logging.Handler):
    """Keeps every line the host's log reader turns a plugin's output into (logger ``plugin.<id>``)."""

    def __init__(self, plugin_id: str) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self._logger = logging.getLogger(f"plugin.{plugin_id}")
        self._saved_level = self._logger.level

    def emit(self, record: logging.LogRecord) -> None:
        """Keep one line: ``LEVEL message key=value...``."""
        self.lines.append(f"{record.levelname} {record.getMessage()}")

    def attach(self) -> None:
        """Receive every level (the lines still propagate to the test's own log capture)."""
        self._logger.addHandler(self)
        self._logger.setLevel(logging.DEBUG)

    def detach(self) -> None:
        """Restore the logger."""
        self._logger.removeHandler(self)
        self._logger.setLevel(self._saved_level)


class SubprocessTransport:
    """A plugin process launched by the host's own code: cookie environment, handshake, health check, Shutdown."""

    def __init__(
        self,
        meta: PluginMeta,
        *,
        plugin_settings: Mapping[str, str] | None = None,
        start_timeout: float = 30.0,
        stop_grace: float = 2.0,
        scratch: Path | None = None,
    ) -> None:
        self.meta = meta
        # GF_PLUGIN_PYTHON: the example launchers (and ones copied from them) run the test's own Python.
        section = {"python": sys.executable, **(plugin_settings or {})}
        env = {**plugin_settings_env(section), **os.environ}
        self._spec = LaunchSpec(meta.id, meta.directory, meta.executable, env, start_timeout, stop_grace)
        self._scratch = scratch
        self._capture = _LogCapture(meta.id)
        self._process: PluginProcess | None = None
        self._stubs: PluginStubs | None = None

    @property
    def pid(self) -> int | None:
        """The plugin's process id while it runs."""
        return self._process.pid if self._process is not None else None

    async def start(self) -> None:
        """Launch the plugin and wait for its handshake and health check (PluginStartError on failure)."""
        if self._process is not None:
            return
        self._capture.attach()
        self._process = PluginProcess(self._spec)
        await self._process.start()
        self._stubs = self._process.stubs

    async def close(self) -> None:
        """Shutdown, wait the grace period, kill the process group; safe to call twice."""
        process, self._process, self._stubs = self._process, None, None
        try:
            if process is not None:
                await process.stop()
        finally:
            self._capture.detach()
            if self._scratch is not None:
                shutil.rmtree(self._scratch, ignore_errors=True)

    def _connected(self) -> PluginStubs:
        if self._stubs is None:
            raise PluginCallError("UNAVAILABLE", f"plugin {self.meta.id} is not running (use start() or a with block)")
        return self._stubs

    async def _unary(self, call: Callable[[Any], Awaitable[Any]], msg: Any) -> Any:
        try:
            return await call(msg)
        except grpc.aio.AioRpcError as exc:
            raise PluginCallError.from_rpc_error(exc) from None

    async def query_data(self, request: QueryDataRequest) -> QueryDataResponse:
        """QueryData over gRPC."""
        msg = await self._unary(self._connected().data.QueryData, convert.query_data_request_to_proto(request))
        return convert.query_data_response_from_proto(msg)

    async def check_health(self, request: CheckHealthRequest) -> CheckHealthResult:
        """CheckHealth over gRPC."""
        call = self._connected().diagnostics.CheckHealth
        return convert.check_health_result_from_proto(
            await self._unary(call, convert.check_health_request_to_proto(request))
        )

    async def collect_metrics(self, request: CollectMetricsRequest) -> CollectMetricsResult:
        """CollectMetrics over gRPC."""
        call = self._connected().diagnostics.CollectMetrics
        return convert.collect_metrics_result_from_proto(
            await self._unary(call, convert.collect_metrics_request_to_proto(request))
        )

    async def call_resource(self, request: CallResourceRequest) -> list[CallResourceResponse]:
        """CallResource over gRPC; every streamed message."""
        stream = self._connected().resource.CallResource(convert.call_resource_request_to_proto(request))
        try:
            return [convert.call_resource_response_from_proto(msg) async for msg in stream]
        except grpc.aio.AioRpcError as exc:
            raise PluginCallError.from_rpc_error(exc) from None

    def logs(self) -> list[str]:
        """Every line the plugin wrote to stderr (and stdout after the handshake), as the host logged it."""
        return list(self._capture.lines)


def _module_plugin(module: str, plugin_id: str) -> tuple[PluginMeta, Path]:
    """A scratch plugin folder whose executable runs ``python -m module`` with the test's Python."""
    folder = Path(tempfile.mkdtemp(prefix="gp-plugin-"))
    launcher = folder / _LAUNCHER
    # As `python -m` run here would: the working directory first, then the test process's import path.
    pythonpath = shlex.quote(os.pathsep.join([os.getcwd(), *(p for p in sys.path if p)]))
    launcher.write_text(
        f'#!/bin/sh\nPYTHONPATH={pythonpath} exec {shlex.quote(sys.executable)} -m {shlex.quote(module)} "$@"\n'
    )
    launcher.chmod(0o755)
    meta = PluginMeta(
        id=plugin_id, type="datasource", name=plugin_id, directory=folder, backend=True, executable=_LAUNCHER
    )
    return meta, folder


def plugin_meta(target: str | Path, plugin_id: str | None = None) -> PluginMeta:
    """The PluginMeta of a plugin folder (its plugin.json) or of a bare executable file."""
    path = Path(target).resolve()
    if path.is_dir():
        meta = parse_plugin_json(orjson.loads((path / "plugin.json").read_bytes()), path)
        return dataclasses.replace(meta, id=plugin_id) if plugin_id else meta
    if not path.is_file():
        raise FileNotFoundError(f"no plugin folder or executable at {path}")
    name = plugin_id or path.stem
    return PluginMeta(id=name, type="datasource", name=name, directory=path.parent, backend=True, executable=path.name)


def async_start_plugin(
    target: str | Path | None = None,
    *,
    module: str | None = None,
    plugin_id: str | None = None,
    settings: DataSourceInstanceSettings | None = None,
    plugin_settings: Mapping[str, str] | None = None,
    start_timeout: float = 30.0,
    stop_grace: float = 2.0,
) -> AsyncPluginTestClient:
    """An async client for a plugin process; ``async with`` starts it and stops it.

    ``target`` is a plugin folder (plugin.json + ``<executable>_<os>_<arch>``) or an executable; or give
    ``module`` to run ``python -m module``. ``plugin_settings`` become ``GF_PLUGIN_<KEY>`` variables (Grafana's
    ``[plugin.<id>]``); ``GF_PLUGIN_PYTHON`` is the test's Python unless set.
    """
    if (target is None) == (module is None):
        raise TypeError("pass exactly one of a plugin folder/executable or module=")
    scratch = None
    if module is not None:
        meta, scratch = _module_plugin(module, plugin_id or module.rpartition(".")[2])
    else:
        assert target is not None
        meta = plugin_meta(target, plugin_id)
    transport = SubprocessTransport(
        meta, plugin_settings=plugin_settings, start_timeout=start_timeout, stop_grace=stop_grace, scratch=scratch
    )
    return AsyncPluginTestClient(transport, plugin_id=meta.id, settings=settings)


def start_plugin(
    target: str | Path | None = None,
    *,
    module: str | None = None,
    plugin_id: str | None = None,
    settings: DataSourceInstanceSettings | None = None,
    plugin_settings: Mapping[str, str] | None = None,
    start_timeout: float = 30.0,
    stop_grace: float = 2.0,
) -> PluginTestClient:
    """The blocking client for :func:`async_start_plugin` (``with start_plugin("dist/") as plugin: ...``)."""
    return PluginTestClient(
        async_start_plugin(
            target,
            module=module,
            plugin_id=plugin_id,
            settings=settings,
            plugin_settings=plugin_settings,
            start_timeout=start_timeout,
            stop_grace=stop_grace,
        )
    )
