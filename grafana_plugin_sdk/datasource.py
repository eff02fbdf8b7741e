"""Instance management: one plugin instance per data source, as the Go SDK's ``datasource.Manage``.

``manage(plugin_id, factory)`` serves a plugin whose every call goes to the instance built by
``factory(settings)`` for the calling data source. The instance is reused until the data source's settings change
(``lastUpdatedMS``) or Grafana's config does, then replaced; the old instance's ``dispose()`` (optional, plain or
async) runs ``dispose_delay`` seconds later and never while a call on it is still running; the HTTP clients
(:mod:`grafana_plugin_sdk.httpclient`) the factory built are closed right after it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NoReturn

from grafana_plugin_sdk import _owned
from grafana_plugin_sdk._invoke import call_maybe_async
from grafana_plugin_sdk.backend import (
    CallResourceRequest,
    CallResourceResponseSender,
    CheckHealthRequest,
    CheckHealthResult,
    DataResponse,
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

__all__ = [
    "DEFAULT_DISPOSE_DELAY",
    "Factory",
    "InstanceError",
    "InstanceManager",
    "ManagedHandler",
    "Selector",
    "data_source_settings",
    "manage",
]

DEFAULT_DISPOSE_DELAY = 5.0
"""Seconds between replacing an instance and disposing of it (the Go SDK waits 5 s too)."""

Factory = Callable[[DataSourceInstanceSettings], Any]
"""Builds an instance from a data source's settings; plain or ``async``."""

log = logging.getLogger("grafana_plugin_sdk.datasource")


class InstanceError(Exception):
    """The factory failed to build an instance for a data source (the message is the factory's error)."""


@dataclass
class _Entry:
    instance: Any
    version: tuple[datetime, dict[str, str]]
    owned: list[_owned.Closer] = field(default_factory=list)
    in_flight: int = 0
    idle: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.idle.set()


Selector = Callable[[PluginContext], tuple[Hashable, Any, datetime]]
"""Picks from a call's context the instance key, the settings to build from, and their update time."""


def data_source_settings(ctx: PluginContext) -> tuple[Hashable, Any, datetime]:
    """The calling data source's (id, uid), settings and update time; InstanceError without them."""
    settings = ctx.data_source_instance_settings
    if settings is None:
        raise InstanceError("the request carries no data source settings")
    return (settings.id, settings.uid), settings, settings.updated


class InstanceManager:
    """Caches one instance per data source (id and uid) and retires replaced ones safely; use on one event loop.

    ``select`` picks the key and settings from a call (default: the data source; apps key by org).
    """

    def __init__(
        self,
        factory: Callable[[Any], Any],
        dispose_delay: float = DEFAULT_DISPOSE_DELAY,
        select: Selector = data_source_settings,
    ) -> None:
        self._factory = factory
        self._dispose_delay = dispose_delay
        self._select = select
        self._entries: dict[Hashable, _Entry] = {}
        self._locks: dict[Hashable, asyncio.Lock] = {}
        self._retiring: set[asyncio.Task[None]] = set()

    async def _current(self, ctx: PluginContext) -> _Entry:
        key, settings, updated = self._select(ctx)
        version = (updated, dict(ctx.grafana_config))
        entry = self._entries.get(key)
        if entry is not None and entry.version == version:
            return entry
        async with self._locks.setdefault(key, asyncio.Lock()):
            entry = self._entries.get(key)
            if entry is not None and entry.version == version:
                return entry  # built by a concurrent call while this one waited
            try:
                with _owned.collecting() as owned:
                    instance = await call_maybe_async(self._factory, settings)
            except Exception as exc:
                log.error("the instance factory failed", exc_info=exc, extra={"instance": str(key)})
                raise InstanceError(str(exc) or type(exc).__name__) from exc
            self._entries[key] = fresh = _Entry(instance, version, owned)
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
        for close in ([dispose] if callable(dispose) else []) + entry.owned:
            try:
                await call_maybe_async(close)
            except Exception:
                log.exception("dispose() of a replaced instance failed")

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
            return QueryDataResponse(
                {q.ref_id: DataResponse.from_exception(exc.__cause__ or exc) for q in request.queries}
            )

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
