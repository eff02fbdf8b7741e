"""``POST /api/tsdb/query`` (legacy, documented in the older seed): the legacy per-refId result shape.

Each refId answers ``refId``, ``meta`` (the first frame's), ``series`` (``name``, ``points`` as ``[value, time_ms]``)
from time-series frames, ``tables`` (``columns``, ``rows``) from the other frames, ``dataframes`` (every frame as a
base64 Arrow file) and ``error``; the top-level ``message`` repeats the last error. Any error answers 400.
"""

from __future__ import annotations

import base64
import math
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pyarrow as pa
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from grafana_plugin_host.api._large import json_answer
from grafana_plugin_host.api.query import has_error, large_bytes, render_off_loop, run_query_request
from grafana_plugin_sdk.backend import DataResponse, QueryDataResponse
from grafana_plugin_sdk.data import Field, FieldType, Frame


def _plain(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _column(field: Field) -> list[Any]:
    """A field's values as JSON-ready Python values: times in epoch ms, NaN/±Inf as null, JSON decoded."""
    if field.type is FieldType.TIME:
        ms: list[Any] = field.values.view(pa.int64()).to_pylist()
        return [None if v is None else v // 1_000_000 for v in ms]
    if field.type.is_float:
        return [_plain(v) for v in field.to_pylist()]
    return field.to_pylist()


def _series_name(frame: Frame, field: Field) -> str:
    config = field.config
    if config is not None and (config.display_name_from_ds or config.display_name):
        return config.display_name_from_ds or config.display_name
    return field.name or frame.name


def _time_field(frame: Frame) -> Field | None:
    times = [f for f in frame.fields if f.type is FieldType.TIME]
    values = [f for f in frame.fields if f.type.is_numeric]
    return times[0] if len(times) == 1 and values else None


def frame_series(frame: Frame) -> list[dict[str, Any]] | None:
    """The legacy series of a time-series frame (one per numeric field), or None when the frame is not one."""
    time_field = _time_field(frame)
    if time_field is None:
        return None
    times = _column(time_field)
    series: list[dict[str, Any]] = []
    for field in frame.fields:
        if not field.type.is_numeric:
            continue
        entry: dict[str, Any] = {
            "name": _series_name(frame, field),
            "points": [list(p) for p in zip(_column(field), times, strict=True)],
        }
        if field.labels:
            entry["tags"] = dict(field.labels)
        series.append(entry)
    return series


def frame_table(frame: Frame) -> dict[str, Any]:
    """The legacy table of a frame: ``columns`` (``text``) and ``rows``."""
    columns = [_column(f) for f in frame.fields]
    return {
        "columns": [{"text": f.name} for f in frame.fields],
        "rows": [list(row) for row in zip(*columns, strict=True)],
    }


def legacy_result(ref_id: str, response: DataResponse) -> dict[str, Any]:
    """One refId's legacy result object."""
    series: list[dict[str, Any]] = []
    tables: list[dict[str, Any]] = []
    for frame in response.frames:
        frame_as_series = frame_series(frame)
        if frame_as_series is None:
            tables.append(frame_table(frame))
        else:
            series.extend(frame_as_series)
    result: dict[str, Any] = {"refId": ref_id}
    meta = next((f.meta for f in response.frames if f.meta is not None), None)
    if meta is not None:
        result["meta"] = meta.to_dict()
    result["series"] = series
    result["tables"] = tables
    result["dataframes"] = [base64.b64encode(frame.to_arrow()).decode() for frame in response.frames]
    if response.error:
        result["error"] = response.error
    return result


def legacy_response_json(response: QueryDataResponse) -> bytes:
    """The whole legacy body: ``{"results": {...}}`` plus ``message`` (the last error) when any refId failed."""
    body: dict[str, Any] = {"results": {ref: legacy_result(ref, r) for ref, r in response.responses.items()}}
    errors = [r.error for r in response.responses.values() if r.error]
    if errors:
        body["message"] = errors[-1]
    return orjson.dumps(body)


async def tsdb_query(request: Request) -> Response:
    """``POST /api/tsdb/query``."""
    _, response = await run_query_request(request)
    status = 400 if has_error(response) else 200

    async def pieces() -> AsyncIterator[bytes]:
        yield await render_off_loop(response, legacy_response_json)

    return await json_answer(request, pieces, status, large_bytes=large_bytes(response))


routes: list[BaseRoute] = [Route("/api/tsdb/query", tsdb_query, methods=["POST"])]
