"""TestData scenarios: each answers one query with generated frames. Pure functions of the query (and a seed)."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from grafana_plugin_sdk.backend import DataQuery, DataResponse, QueryDataRequest
from grafana_plugin_sdk.data import Field, FieldType, Frame, FrameMeta, FrameType

MAX_ROWS = 10_000_000
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}

ScenarioFunc = Callable[[QueryDataRequest, DataQuery], DataResponse | Awaitable[DataResponse]]


class ScenarioError(ValueError):
    """The query's parameters are invalid for its scenario."""


@dataclass(frozen=True)
class Scenario:
    """A named data generator."""

    id: str
    name: str
    description: str
    run: ScenarioFunc


def _param(query: DataQuery, key: str, default: Any) -> Any:
    value = query.model.get(key)
    return default if value is None or value == "" else value


def _number(query: DataQuery, key: str, default: float | None) -> float | None:
    value = _param(query, key, default)
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ScenarioError(f"{key} must be a number, got {value!r}") from None


def _count(query: DataQuery, key: str, default: int, maximum: int) -> int:
    value = _number(query, key, default)
    assert value is not None
    if not 0 <= value <= maximum or value != int(value):
        raise ScenarioError(f"{key} must be a whole number from 0 to {maximum}, got {value:g}")
    return int(value)


def _range_ms(query: DataQuery) -> tuple[int, int]:
    start = int(query.time_range.from_.timestamp() * 1000)
    end = int(query.time_range.to.timestamp() * 1000)
    return start, max(start, end)


def _timestamps(query: DataQuery, count: int) -> np.ndarray[Any, np.dtype[np.datetime64]]:
    """count times spread evenly from the start to the end of the query's range (ms precision)."""
    start, end = _range_ms(query)
    if count <= 1:
        return np.array([start], dtype="datetime64[ms]")[:count]
    ms = start + (np.arange(count, dtype=np.int64) * (end - start)) // (count - 1)
    return ms.astype("datetime64[ms]")


def _walk_timestamps(query: DataQuery) -> np.ndarray[Any, np.dtype[np.datetime64]]:
    """Grafana's walk spacing: one point per interval (at least range / maxDataPoints) across the range."""
    start, end = _range_ms(query)
    points = max(1, query.max_data_points or 100)
    step = max(int(query.interval.total_seconds() * 1000), (end - start) // points, 1)
    ms = np.arange(start, end, step, dtype=np.int64)[:points]
    return (ms * 1_000_000).view("datetime64[ns]")  # in frames' own unit: no conversion when the field is built


def parse_labels(text: str) -> dict[str, str]:
    """key=value, key2="value 2" into a dict (Grafana's labels field)."""
    labels: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.strip().strip("{}").split(","))):
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise ScenarioError(f"labels must look like key=value, got {part!r}")
        labels[key.strip()] = value.strip().strip('"')
    return labels


def random_walk_values(
    count: int,
    rng: np.random.Generator,
    *,
    start: float,
    spread: float,
    noise: float,
    low: float | None,
    high: float | None,
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """A clamped random walk, vectorised: cumulative uniform steps plus optional noise."""
    steps = (rng.random(count) - 0.5) * spread
    steps[:1] = 0.0  # the walk starts at start (no-op for an empty walk)
    values = start + np.cumsum(steps)
    if noise:
        values += (rng.random(count) - 0.5) * noise
    if low is not None or high is not None:
        values = np.clip(values, low, high)
    return values


#: The generator of queries without a seed (numpy generators lock around each draw, so threads may share it).
_UNSEEDED = np.random.default_rng()


def _rng(query: DataQuery) -> np.random.Generator:
    seed = _param(query, "seed", None)
    if seed is None:
        return _UNSEEDED
    try:
        return np.random.default_rng(int(seed))
    except (TypeError, ValueError):
        raise ScenarioError(f"seed must be a whole number, got {seed!r}") from None


def _timeseries_meta() -> FrameMeta:
    return FrameMeta(type=FrameType.TIMESERIES_MULTI, type_version=(0, 1))


def random_walk(request: QueryDataRequest, query: DataQuery) -> DataResponse:
    """seriesCount walks between min and max with spread/noise; seed makes it repeatable.

    Points lie inside the time range: an empty range gives the series with no rows (as Grafana's TestData)."""
    rng = _rng(query)
    series = _count(query, "seriesCount", 1, 1000)
    low, high = _number(query, "min", None), _number(query, "max", None)
    if low is not None and high is not None and low > high:
        raise ScenarioError(f"min ({low:g}) is greater than max ({high:g})")
    spread = _number(query, "spread", 1.0) or 0.0
    noise = _number(query, "noise", 0.0) or 0.0
    labels = parse_labels(str(_param(query, "labels", "")))
    times = _walk_timestamps(query)
    alias = str(_param(query, "alias", ""))
    frames = []
    for index in range(series):
        start = _number(query, "startValue", None)
        values = random_walk_values(
            len(times),
            rng,
            start=rng.random() * 100 if start is None else start,
            spread=spread,
            noise=noise,
            low=low,
            high=high,
        )
        name = alias or (f"{query.ref_id}-series" if series == 1 else f"{query.ref_id}-series-{index}")
        value_labels = {**labels, "series": str(index)} if series > 1 else labels
        frames.append(
            Frame(
                name,
                [Field("time", times), Field("value", values, labels=value_labels or None)],
                meta=_timeseries_meta(),
            )
        )
    return DataResponse(frames)


def csv_metric_values(request: QueryDataRequest, query: DataQuery) -> DataResponse:
    """stringInput like 1,20,90,30,5,0 spread evenly over the time range (null for gaps).

    The values are the user's data: an empty range puts them all at its start (as Grafana's TestData)."""
    text = str(_param(query, "stringInput", "1,20,90,30,5,0"))
    raw = [v.strip() for v in text.split(",")]
    values: list[float | None] = []
    for item in raw:
        if item.lower() in ("null", "nan", ""):
            values.append(None)
            continue
        try:
            values.append(float(item))
        except ValueError:
            raise ScenarioError(f"stringInput must hold numbers separated by commas, got {item!r}") from None
    integral = all(v is None or v.is_integer() for v in values)
    column = [None if v is None else int(v) for v in values] if integral else values
    ftype = FieldType.INT64 if integral else FieldType.FLOAT64
    name = str(_param(query, "alias", f"{query.ref_id}-series"))
    frame = Frame("", [Field("time", _timestamps(query, len(values))), Field(name, column, type=ftype, nullable=True)])
    return DataResponse([frame])


def _infer_csv_column(cells: list[str]) -> tuple[list[Any], FieldType]:
    present = [c for c in cells if c != ""]
    for parse, ftype in ((int, FieldType.INT64), (float, FieldType.FLOAT64)):
        try:
            parsed = {c: parse(c) for c in present}
        except ValueError:
            continue
        return [parsed.get(c) if c != "" else None for c in cells], ftype
    if present and all(c.lower() in ("true", "false") for c in present):
        return [None if c == "" else c.lower() == "true" for c in cells], FieldType.BOOL
    return [None if c == "" else c for c in cells], FieldType.STRING


def csv_content(request: QueryDataRequest, query: DataQuery) -> DataResponse:
    """csvContent: a CSV document with a header row, each column typed (int, float, bool or string)."""
    rows = list(csv.reader(io.StringIO(str(_param(query, "csvContent", "")))))
    if not rows:
        return DataResponse([Frame("", [])])
    header, body = rows[0], rows[1:]
    if any(len(row) != len(header) for row in body):
        raise ScenarioError(f"csvContent rows must all have {len(header)} cells like the header")
    fields = []
    for index, name in enumerate(header):
        values, ftype = _infer_csv_column([row[index] for row in body])
        fields.append(Field(name, values, type=ftype, nullable=True))
    return DataResponse([Frame("", fields, meta=FrameMeta(type=FrameType.TABLE))])


def table_static(request: QueryDataRequest, query: DataQuery) -> DataResponse:
    """A small fixed table with a column of each common type, its rows spread over the time range.

    An empty range holds no row times: the table then has no rows (as Grafana's TestData)."""
    start, end = _range_ms(query)
    rows = 4 if end > start else 0
    frame = Frame(
        "",
        [
            Field("time", _timestamps(query, rows)),
            Field("host", ["alpha", "beta", "gamma", "delta"][:rows], type=FieldType.STRING),
            Field("cpu", [12.5, 87.25, 45.0, None][:rows], type=FieldType.FLOAT64, nullable=True),
            Field("requests", [1200, 34000, 560, 78][:rows], type=FieldType.INT64),
            Field("healthy", [True, False, True, True][:rows], type=FieldType.BOOL),
        ],
        meta=FrameMeta(type=FrameType.TABLE),
    )
    return DataResponse([frame])


def parse_duration(text: str) -> float:
    """500ms, 5s, 1.5m, 2h or bare seconds, as seconds."""
    match = _DURATION.match(text)
    if match is None:
        raise ScenarioError(f"expected a duration like 5s or 500ms, got {text!r}")
    return float(match[1]) * _UNIT_SECONDS[match[2]]


async def slow_query(request: QueryDataRequest, query: DataQuery) -> DataResponse:
    """Waits stringInput (default 5s), then answers like random_walk."""
    delay = parse_duration(str(_param(query, "stringInput", "5s")))
    if delay > 600:
        raise ScenarioError("slow_query waits at most 10m")
    await asyncio.sleep(delay)
    return random_walk(request, query)


def server_error(request: QueryDataRequest, query: DataQuery) -> DataResponse:
    """Fails on purpose: the plugin raises, and the SDK turns it into this refId's error."""
    raise RuntimeError("the server_error scenario failed on purpose")


def no_data_points(request: QueryDataRequest, query: DataQuery) -> DataResponse:
    """Answers with no frames at all."""
    return DataResponse()


def large_frame(request: QueryDataRequest, query: DataQuery) -> DataResponse:
    """rows rows (default 1,000,000) of time + float64 across the range (all at its start if empty), for benchmarks."""
    rows = _count(query, "rows", 1_000_000, MAX_ROWS)
    rng = _rng(query)
    values = random_walk_values(rows, rng, start=50.0, spread=1.0, noise=0.0, low=None, high=None)
    frame = Frame("", [Field("time", _timestamps(query, rows)), Field("value", values)], meta=_timeseries_meta())
    return DataResponse([frame])


SCENARIOS: dict[str, Scenario] = {
    s.id: s
    for s in (
        Scenario("random_walk", "Random Walk", random_walk.__doc__ or "", random_walk),
        Scenario("csv_metric_values", "CSV Metric Values", csv_metric_values.__doc__ or "", csv_metric_values),
        Scenario("csv_content", "CSV Content", csv_content.__doc__ or "", csv_content),
        Scenario("table_static", "Table Static", table_static.__doc__ or "", table_static),
        Scenario("slow_query", "Slow Query", slow_query.__doc__ or "", slow_query),
        Scenario("server_error", "Server Error", server_error.__doc__ or "", server_error),
        Scenario("no_data_points", "No Data Points", no_data_points.__doc__ or "", no_data_points),
        Scenario("large_frame", "Large Frame", large_frame.__doc__ or "", large_frame),
    )
}
