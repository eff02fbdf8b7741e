"""SQL data sources in a few lines (the Go SDK's ``sqlutil`` and Grafana's SQL engine), for any DB-API 2 driver.

``run_query(connection, Query.from_data_query(q), PostgresDialect())`` expands Grafana's macros
(``$__timeFilter(col)``, ``$__timeFrom()``, ``$__timeTo()``, ``$__timeGroup(col, 5m[, NULL|previous|value])``,
``$__timeGroupAlias``, ``$__unixEpochFilter``, ``$__unixEpochGroup``, ``$__interval``, ``$__interval_ms``,
``$__column``, ``$__table``...), runs the SQL, and returns the frame Grafana's SQL data sources return: nullable
fields typed from the driver, ``time`` columns as times, ``time_series`` results wide with ``$__timeGroup``'s fill,
at most ``limit`` rows. ``run_query_async`` does the same on an async driver. A :class:`Dialect` subclass adapts
the macros to another database.
"""

from grafana_plugin_sdk.data import FillMissing, FillMode

from ._dialect import Dialect, PostgresDialect, SQLiteDialect
from ._macros import Interpolated, MacroError, interpolate
from ._query import Format, Query, QueryError
from ._rows import frame_from_rows, infer_type
from ._run import DEFAULT_ROW_LIMIT, row_limit, run_query, run_query_async
from ._shape import TIME_FIELD_NAME, resample, shape

__all__ = [
    "DEFAULT_ROW_LIMIT",
    "TIME_FIELD_NAME",
    "Dialect",
    "FillMissing",
    "FillMode",
    "Format",
    "Interpolated",
    "MacroError",
    "PostgresDialect",
    "Query",
    "QueryError",
    "SQLiteDialect",
    "frame_from_rows",
    "infer_type",
    "interpolate",
    "resample",
    "row_limit",
    "run_query",
    "run_query_async",
    "shape",
]
