"""A SQL query as the data source's query editor sends it, with the request's time range and interval."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from grafana_plugin_sdk.backend import DataQuery


class Format(enum.StrEnum):
    """The query editor's ``format``: rows as they are, or time series (long results turned wide)."""

    TABLE = "table"
    TIME_SERIES = "time_series"


class QueryError(ValueError):
    """The query cannot run or its result cannot be shaped; the message is for the user."""


@dataclass(frozen=True)
class Query:
    """What a SQL query needs: the SQL, its format, time range, interval, and ``$__table``/``$__column`` values."""

    raw_sql: str
    time_from: datetime
    time_to: datetime
    interval: timedelta = timedelta(0)
    format: Format = Format.TIME_SERIES
    table: str = ""
    column: str = ""

    @classmethod
    def from_data_query(cls, query: DataQuery, *, default_format: Format = Format.TIME_SERIES) -> Query:
        """From a request's query: model keys ``rawSql``, ``format`` (Grafana defaults to time series),
        ``table`` and ``column``. Raises QueryError for a format other than ``table`` or ``time_series``."""
        model = query.model
        raw_format = model.get("format") or default_format
        try:
            fmt = Format(raw_format)
        except ValueError:
            raise QueryError(f"format must be table or time_series, got {raw_format!r}") from None
        return cls(
            raw_sql=str(model.get("rawSql") or ""),
            time_from=query.time_range.from_,
            time_to=query.time_range.to,
            interval=query.interval,
            format=fmt,
            table=str(model.get("table") or ""),
            column=str(model.get("column") or ""),
        )
