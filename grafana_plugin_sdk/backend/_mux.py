"""``QueryTypeMux``: route each query of a QueryData request by its query type (the Go SDK's ``QueryTypeMux``)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from grafana_plugin_sdk._invoke import call_maybe_async, log_handler_error

from ._requests import DataQuery, QueryDataRequest
from ._responses import DataResponse, QueryDataResponse

QueryFunc = Callable[[QueryDataRequest, DataQuery], DataResponse | Awaitable[DataResponse]]
"""Answers one query: ``fn(request, query) -> DataResponse``, plain or ``async``."""

_F = TypeVar("_F", bound=QueryFunc)
log = logging.getLogger("grafana_plugin_sdk.mux")


class QueryTypeMux:
    """Routes each query to the function registered for its ``query_type`` and runs them concurrently.

    ``""`` registers the fallback for types nothing else handles. A function that raises answers its own refId with
    an error (status 500, source plugin; a :class:`DownstreamError` keeps its status, source downstream) while the
    other queries still answer. At most ``max_concurrency`` queries run at once (default: the request's
    ``GF_CONCURRENT_QUERY_COUNT``, 10 when absent). The mux itself is a ``QueryDataHandler``.
    """

    def __init__(self, max_concurrency: int | None = None) -> None:
        self._routes: dict[str, QueryFunc] = {}
        self._max_concurrency = max_concurrency

    def handle(self, query_type: str, fn: QueryFunc) -> None:
        """Register ``fn`` for queries of ``query_type`` (``""``: every unhandled type)."""
        self._routes[query_type] = fn

    def route(self, query_type: str = "") -> Callable[[_F], _F]:
        """Decorator form of :meth:`handle`."""

        def register(fn: _F) -> _F:
            self.handle(query_type, fn)
            return fn

        return register

    async def _answer(self, request: QueryDataRequest, query: DataQuery, limit: asyncio.Semaphore) -> DataResponse:
        fn = self._routes.get(query.query_type) or self._routes.get("")
        if fn is None:
            return DataResponse.error_response(f"no handler found for query type '{query.query_type}'", 501)
        async with limit:
            try:
                result = await call_maybe_async(fn, request, query)
            except Exception as exc:
                log_handler_error(log, "query failed", exc, refId=query.ref_id, queryType=query.query_type)
                return DataResponse.from_exception(exc)
        if not isinstance(result, DataResponse):
            message = f"query function for type '{query.query_type}' returned {type(result).__name__}, not DataResponse"
            return DataResponse.error_response(message)
        return result

    async def query_data(self, request: QueryDataRequest) -> QueryDataResponse:
        """Answer every query of ``request``, each by its query type's function."""
        limit = asyncio.Semaphore(
            max(1, self._max_concurrency or request.plugin_context.grafana_config.concurrent_query_count())
        )
        if len(request.queries) == 1:  # the common case: no task to schedule
            return QueryDataResponse(
                {request.queries[0].ref_id: await self._answer(request, request.queries[0], limit)}
            )
        answers = await asyncio.gather(*(self._answer(request, q, limit) for q in request.queries))
        return QueryDataResponse({q.ref_id: a for q, a in zip(request.queries, answers, strict=True)})
