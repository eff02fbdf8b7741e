"""Instance management: one plugin instance per data source, as the Go SDK's ``datasource.Manage``.

``manage(plugin_id, factory)`` serves a plugin whose every call goes to the instance built by
``factory(settings)`` for the calling data source. The instance is reused until the data source's settings change
(``lastUpdatedMS``) or Grafana's config does, then replaced; the old instance's ``dispose()`` (optional, plain or
async) runs ``dispose_delay`` seconds later and never while a call on it is still running.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NoReturn

from grafana_plugin_sdk.backend import (
    CallResourceRequest,
    CallResourceResponseSender,
    CheckHealthRequest,
    CheckHealthResult,
    DataSourceInstanceSettings,
    PluginContext,
    PublishStreamRequest,
    PublishStreamResponse,
    QueryDataRequest,
    QueryDataResponse,
    RunStreamRequest,
    StreamSender,
    SubscribeStreamRequest,
    SubscribeStreamResponse,
)
from grafana_plugin_sdk.backend._invoke import call_maybe_async, error_response_for

__all__ = ["DEFAULT_DISPOSE_DELAY", "Factory", "InstanceError", "InstanceManager", "ManagedHandler", "manage"]

DEFAULT_DISPOSE_DELAY = 5.0
"""Seconds between replacing an instance and disposing of it (the Go SDK waits 5 s too)."""

Factory = Callable[[DataSourceInstanceSettings], Any]
"""Builds an instance from a data source's settings; plain or ``async``."""

_logger = logging.getLogger("grafana_plugin_sdk.datasource")


class InstanceError(Exception):
    """The factory failed to build an instance for a data source (the message is the factory's error)."""


@dataclass
class _Entry:
    instance: Any
    version: tuple[datetime, dict[str, str]]
    in_flight: int = 0
    idle: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.idle.set()


class InstanceManager:
    """Caches one instance per data source (id and uid) and retires replaced ones safely; use on one event loop."""

    def __init__(self, factory: Factory, dispose_delay: float = DEFAULT_DISPOSE_DELAY) -> None:
        self._factory = factory
        self._dispose_delay = dispose_delay
        self._entries: dict[tuple[int, str], _Entry] = {}
        self._locks: dict[tuple[int, str], asyncio.Lock] = {}
        self._retiring: set[asyncio.Task[None]] = set()

    async def _current(self, ctx: PluginContext) -> _Entry:
        settings = ctx.data_source_instance_settings
        if settings is None:
            raise InstanceError("the request carries no data source settings")
        key = (settings.id, settings.uid)
        version = (settings.updated, dict(ctx.grafana_config))
        entry = self._entries.get(key)
        if entry is not None and entry.version == version:
            return entry
        async with self._locks.setdefault(key, asyncio.Lock()):
            entry = self._entries.get(key)
            if entry is not None and entry.version == version:
                return entry  # built by a concurrent call while this one waited
            try:
                instance = await call_maybe_async(self._factory, settings)
            except Exception as exc:
                _logger.error("the instance factory failed", exc_info=exc, extra={"dsUid": settings.uid})
                raise InstanceError(str(exc) or type(exc).__name__) from exc
            self._entries[key] = fresh = _Entry(instance, version)
            if entry is not None:
                self._retire(entry)
            return fresh

    def _retire(self, entry: _Entry) -> None:
        task = asyncio.get_running_loop().create_task(self._dispose_later(entry))
        self._retiring.add(task)
        task.add_done_callback(self._retiring.discard)

    async def _dispose_later(self, entry: _Entry) -> None:
        await asyncio.sleep(self._dispose_delay)
        await entry.idle.wait()
        dispose = getattr(entry.instance, "dispose", None)
        if callable(dispose):
            try:
                await call_maybe_async(dispose)
            except Exception:
                _logger.exception("dispose() of a replaced instance failed")

    @contextlib.asynccontextmanager
    async def instance(self, ctx: PluginContext) -> AsyncIterator[Any]:
        """The instance for the calling data source, marked in use for the duration of the block."""
        entry = await self._current(ctx)
        entry.in_flight += 1
        entry.idle.clear()
        try:
            yield entry.instance
        finally:
            entry.in_flight -= 1
            if entry.in_flight == 0:
                entry.idle.set()


def _method(instance: object, name: str) -> Callable[..., object]:
    fn: object = getattr(instance, name, None)
    if not callable(fn):
        raise NotImplementedError(f"the data source instance does not implement {name}")
    return fn


class ManagedHandler:
    """A handler for ``serve`` that forwards every call to the calling data source's instance."""

    def __init__(self, manager: InstanceManager) -> None:
        self._manager = manager

    async def _forward(self, name: str, ctx: PluginContext, *args: object) -> Any:
        async with self._manager.instance(ctx) as instance:
            return await call_maybe_async(_method(instance, name), *args)

    async def query_data(self, request: QueryDataRequest) -> QueryDataResponse:
        """Forward; when no instance can be built every query gets the factory's error."""
        try:
            return await self._forward("query_data", request.plugin_context, request)  # type: ignore[no-any-return]
        except InstanceError as exc:
            return QueryDataResponse({q.ref_id: error_response_for(exc.__cause__ or exc) for q in request.queries})

    async def check_health(self, request: CheckHealthRequest) -> CheckHealthResult:
        """Forward; when no instance can be built the result is ERROR with the factory's message."""
        try:
            return await self._forward("check_health", request.plugin_context, request)  # type: ignore[no-any-return]
        except InstanceError as exc:
            return CheckHealthResult.error(str(exc))

    async def call_resource(self, request: CallResourceRequest, sender: CallResourceResponseSender) -> None:
        """Forward."""
        await self._forward("call_resource", request.plugin_context, request, sender)

    async def subscribe_stream(self, request: SubscribeStreamRequest) -> SubscribeStreamResponse:
        """Forward."""
        return await self._forward("subscribe_stream", request.plugin_context, request)  # type: ignore[no-any-return]

    async def publish_stream(self, request: PublishStreamRequest) -> PublishStreamResponse:
        """Forward."""
        return await self._forward("publish_stream", request.plugin_context, request)  # type: ignore[no-any-return]

    async def run_stream(self, request: RunStreamRequest, sender: StreamSender) -> None:
        """Forward (the instance stays in use, so undisposed, while the stream runs)."""
        await self._forward("run_stream", request.plugin_context, request, sender)


def manage(
    plugin_id: str,
    factory: Callable[[DataSourceInstanceSettings], Any | Awaitable[Any]],
    *,
    dispose_delay: float = DEFAULT_DISPOSE_DELAY,
    **serve_options: Any,
) -> NoReturn:
    """Serve a data source plugin with one instance per data source, built by ``factory(settings)``.

    ``serve_options`` are passed to :func:`grafana_plugin_sdk.serve` (transport, max_receive_message_size...).
    The instance has the handler methods; to route its queries by type, build a
    :class:`~grafana_plugin_sdk.backend.QueryTypeMux` in ``__init__``, register bound methods
    (``mux.handle("metrics", self.metrics)``) and set ``self.query_data = mux.query_data``.
    """
    from grafana_plugin_sdk.serve import serve

    serve(ManagedHandler(InstanceManager(factory, dispose_delay)), plugin_id=plugin_id, **serve_options)
