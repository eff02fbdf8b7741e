"""``POST /api/ds/query``: parse the queries, group them by data source, call QueryData, answer frame JSON.

The parsing, grouping and execution are shared with the legacy ``/api/tsdb/query`` (``grafana_plugin_host.api.tsdb``), which only
renders the results differently.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from grafana_plugin_host.api._large import json_answer
from grafana_plugin_host.api.forward import (
    Target,
    datasource_target,
    load_datasource,
    plugin_error,
)
from grafana_plugin_host.config import Settings
from grafana_plugin_host.errors import ApiError, PluginError
from grafana_plugin_host.models import DataSource, Identity
from grafana_plugin_host.services import services_of
from grafana_plugin_host.web import grafana_error, identity_of, read_json
from grafana_plugin_sdk.backend import (
    DataQuery,
    DataResponse,
    ErrorSource,
    QueryDataRequest,
    QueryDataResponse,
    TimeRange,
    query_data_response_json_chunks,
)
from grafana_plugin_sdk.gtime import TimeParseError, parse_time_range

EXPRESSION_UID = "__expr__"
MULTI_STATUS_TOGGLE = "datasourceQueryMultiStatus"
#: Responses with more cells than this are converted to JSON on a worker thread, keeping the event loop free.
THREAD_THRESHOLD_CELLS = 20_000
#: The largest ``intervalMs`` accepted (a year; a timedelta holds far more, a Go duration about 292 years).
_MAX_INTERVAL_MS = 366 * 86_400_000


@dataclass(frozen=True)
class DataSourceRef:
    """How a query names its data source: ``datasource.uid``, a legacy string (uid or name), or ``datasourceId``."""

    uid: str = ""
    id: int = 0
    legacy_name: str = ""


def _int_or(value: Any, default: int) -> int:
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return default


def datasource_ref(query: Mapping[str, Any]) -> DataSourceRef:
    """The data source a query object names; 400 when it names none, or asks for server-side expressions."""
    datasource = query.get("datasource")
    uid = ""
    legacy = ""
    if isinstance(datasource, Mapping):
        named = datasource.get("uid")
        uid = named if isinstance(named, str) else ""
    elif isinstance(datasource, str):
        legacy = datasource
    if EXPRESSION_UID in (uid, legacy):
        raise ApiError(400, "Server-side expressions (datasource __expr__) are not supported by this host")
    if uid:
        return DataSourceRef(uid=uid)
    if legacy:
        return DataSourceRef(uid=legacy, legacy_name=legacy)
    ds_id = _int_or(query.get("datasourceId"), 0)
    if ds_id > 0:
        return DataSourceRef(id=ds_id)
    raise grafana_error(400, "query.invalidDatasourceId", "Query does not contain a valid data source identifier")


def _time_value(body: Mapping[str, Any], key: str) -> str:
    value = body.get(key)
    if isinstance(value, bool):
        raise ApiError(400, f"invalid time value for {key!r}: {value!r}")
    if isinstance(value, int | float):
        return str(int(value))
    if value is None or isinstance(value, str):
        return value or ""
    raise ApiError(400, f"invalid time value for {key!r}: {value!r}")


def parse_time_keys(body: Mapping[str, Any], now: datetime | None = None) -> TimeRange:
    """The request's time range; a missing ``from``/``to`` is epoch 0 as in Grafana, a bad one a 400 naming it."""
    values = {key: _time_value(body, key) or "0" for key in ("from", "to")}
    try:
        start, end = parse_time_range(values["from"], values["to"], now)
    except TimeParseError as exc:
        raise ApiError(400, str(exc)) from None
    except (OverflowError, ValueError):  # a time past what a datetime can hold
        raise ApiError(400, "time range out of bounds") from None
    return TimeRange(start, end)


def parse_queries(body: Any, now: datetime | None = None) -> list[tuple[DataSourceRef, DataQuery]]:
    """Each query of a ``/api/ds/query`` body with its data source reference, Grafana's defaults applied."""
    if not isinstance(body, Mapping):
        raise ApiError(400, "bad request data")
    queries = body.get("queries")
    if not isinstance(queries, list) or not queries:
        raise grafana_error(400, "query.noQueries", "No queries found")
    time_range = parse_time_keys(body, now)
    parsed: list[tuple[DataSourceRef, DataQuery]] = []
    for query in queries:
        if not isinstance(query, Mapping):
            raise ApiError(400, "bad request data")
        ref_id = query.get("refId")
        query_type = query.get("queryType")
        interval_ms = _int_or(query.get("intervalMs"), 1000)
        if not 0 <= interval_ms <= _MAX_INTERVAL_MS:
            raise ApiError(400, "intervalMs out of range")
        data_query = DataQuery(
            ref_id=ref_id if isinstance(ref_id, str) and ref_id else "A",
            time_range=time_range,
            query_type=query_type if isinstance(query_type, str) else "",
            max_data_points=_int_or(query.get("maxDataPoints"), 100),
            interval=timedelta(milliseconds=interval_ms),
            json=orjson.dumps(query),
        )
        parsed.append((datasource_ref(query), data_query))
    return parsed


@dataclass
class Group:
    """The queries of one data source: they go to its plugin in a single QueryData call."""

    datasource: DataSource
    queries: list[DataQuery] = field(default_factory=list)


async def _resolve(request: Request, identity: Identity, ref: DataSourceRef) -> DataSource:
    if ref.legacy_name:
        try:
            return await load_datasource(request, identity, uid=ref.uid)
        except ApiError as exc:
            if exc.status != 404:
                raise
            return await load_datasource(request, identity, name=ref.legacy_name)
    if ref.uid:
        return await load_datasource(request, identity, uid=ref.uid)
    return await load_datasource(request, identity, id=ref.id)


async def group_queries(
    request: Request, identity: Identity, parsed: list[tuple[DataSourceRef, DataQuery]]
) -> list[Group]:
    """Load each named data source once (404/403 as Grafana) and group the queries by data source, in order."""
    loaded: dict[DataSourceRef, DataSource] = {}
    groups: dict[str, Group] = {}
    for ref, query in parsed:
        if ref not in loaded:
            loaded[ref] = await _resolve(request, identity, ref)
        ds = loaded[ref]
        groups.setdefault(ds.uid, Group(ds)).queries.append(query)
    return list(groups.values())


def _header_set(value: str) -> set[str]:
    return {item.strip() for item in value.split(",") if item.strip()}


def check_consistency_headers(headers: Mapping[str, str], groups: list[Group]) -> None:
    """Grafana's optional ``X-Datasource-Uid``/``X-Plugin-Id`` checks: when sent, they must match the body."""
    expected = {
        "x-datasource-uid": {g.datasource.uid for g in groups},
        "x-plugin-id": {g.datasource.type for g in groups},
    }
    for name, wanted in expected.items():
        sent = headers.get(name)
        if sent is not None and _header_set(sent) != wanted:
            raise grafana_error(
                400, "query.headerMismatch", "The request headers point to a different plugin that the request body/url"
            )


async def _query_group(request: Request, identity: Identity, group: Group) -> QueryDataResponse:
    target: Target = await datasource_target(request, identity, group.datasource)
    try:
        response: QueryDataResponse = await target.client.query_data(
            QueryDataRequest(target.context, group.queries, target.headers), deadline=target.deadline
        )
    except PluginError as exc:
        raise plugin_error(exc, failed="An error occurred within the plugin") from exc
    return response


def _failed_group(group: Group, error: ApiError) -> QueryDataResponse:
    response = DataResponse.error_response(error.message, error.status, ErrorSource.PLUGIN)
    return QueryDataResponse({q.ref_id: response for q in group.queries})


async def execute(request: Request, identity: Identity, groups: list[Group]) -> QueryDataResponse:
    """Query every group (concurrently, under ``[query] concurrent_query_limit``) and merge the answers by refId.

    With one data source a failed call is the HTTP error; with several, the failing one's refIds carry the error.
    """
    if len(groups) == 1:
        return await _query_group(request, identity, groups[0])
    limit = asyncio.Semaphore(max(1, services_of(request).settings.concurrent_query_limit))

    async def run(group: Group) -> QueryDataResponse:
        async with limit:
            try:
                return await _query_group(request, identity, group)
            except ApiError as exc:
                return _failed_group(group, exc)

    merged = QueryDataResponse()
    for response in await asyncio.gather(*(run(g) for g in groups)):
        merged.responses.update(response.responses)
    return merged


def _cells(response: QueryDataResponse) -> int:
    return sum(len(frame.fields) * frame.rows for r in response.responses.values() for frame in r.frames)


def ordered(response: QueryDataResponse) -> QueryDataResponse:
    """The answer with refIds sorted and each frame given its response's refId when it has none."""
    result = QueryDataResponse({ref_id: response.responses[ref_id] for ref_id in sorted(response.responses)})
    for ref_id, data in result.responses.items():
        for frame in data.frames:
            if not frame.ref_id:
                frame.ref_id = ref_id
    return result


async def render_off_loop(response: QueryDataResponse, render: Callable[[QueryDataResponse], bytes]) -> bytes:
    """:func:`ordered`, then ``render`` (on a worker thread when large)."""
    prepared = ordered(response)
    if is_large(prepared):
        return await asyncio.to_thread(render, prepared)
    return render(prepared)


async def frame_json_pieces(response: QueryDataResponse) -> AsyncIterator[bytes]:
    """The ``/api/ds/query`` JSON of the answer, piece by piece (at most a frame each; a large one off the loop)."""
    pieces = query_data_response_json_chunks(ordered(response))
    if not is_large(response):
        for piece in pieces:
            yield piece
        return

    def step() -> bytes | None:
        return next(pieces, None)

    while (chunk := await asyncio.to_thread(step)) is not None:
        yield chunk


def is_large(response: QueryDataResponse) -> bool:
    """Whether the answer is rendered on a worker thread and sent under a large-response slot."""
    return _cells(response) > THREAD_THRESHOLD_CELLS


def large_bytes(response: QueryDataResponse) -> int | None:
    """For a large answer (see :func:`is_large`), the bytes its frames hold (their Arrow buffers); else None."""
    if not is_large(response):
        return None
    held: int = sum(f.values.nbytes for r in response.responses.values() for frame in r.frames for f in frame.fields)
    return held


def has_error(response: QueryDataResponse) -> bool:
    """Whether any refId failed."""
    return any(r.error for r in response.responses.values())


def response_status(response: QueryDataResponse, settings: Settings) -> int:
    """200 when every refId succeeded, else 400 (207 with the ``datasourceQueryMultiStatus`` toggle)."""
    if not has_error(response):
        return 200
    return 207 if settings.feature_enabled(MULTI_STATUS_TOGGLE) else 400


async def run_query_request(request: Request) -> tuple[Identity, QueryDataResponse]:
    """Authenticate, parse, group, check headers and execute a ``/api/ds/query``-shaped request."""
    identity = identity_of(request)
    parsed = parse_queries(await read_json(request))
    groups = await group_queries(request, identity, parsed)
    check_consistency_headers(request.headers, groups)
    return identity, await execute(request, identity, groups)


async def ds_query(request: Request) -> Response:
    """``POST /api/ds/query``."""
    _, response = await run_query_request(request)
    status = response_status(response, services_of(request).settings)
    return await json_answer(request, lambda: frame_json_pieces(response), status, large_bytes=large_bytes(response))


routes: list[BaseRoute] = [Route("/api/ds/query", ds_query, methods=["POST"])]
