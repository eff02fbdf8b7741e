"""Dialect hooks: the SQL text each macro expands to and the frame type of a driver's column type."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from grafana_plugin_sdk.data import FieldType


def go_float(value: float) -> str:
    """A float as Go's ``%v`` prints it in Grafana's macros: ``300``, ``0.02``, ``1.5``."""
    return str(int(value)) if value.is_integer() and abs(value) < 1e21 else repr(value)


def rfc3339(moment: datetime) -> str:
    """A UTC time as Go's RFC 3339 with nanoseconds, trailing zeros dropped (``2018-04-12T18:00:00.5Z``)."""
    moment = moment.astimezone(UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    return text + "Z"


def epoch_seconds(moment: datetime) -> int:
    """Whole seconds since the epoch, rounded down (Go's ``Time.Unix``)."""
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return delta.days * 86_400 + delta.seconds


def epoch_nanos(moment: datetime) -> int:
    """Nanoseconds since the epoch (Go's ``Time.UnixNano``; Python times have microsecond precision)."""
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000


class Dialect:
    """The SQL each time macro expands to; subclass and override a hook for another database.

    The defaults are Grafana's PostgreSQL macros, written in standard SQL where it has one (times as quoted
    RFC 3339 literals, ``floor`` for grouping).
    """

    time_columns: tuple[str, ...] = ("time",)
    """Result columns holding the time (converted to time fields; epoch numbers in s, ms or ns)."""

    def time_literal(self, moment: datetime) -> str:
        """A time as an SQL literal."""
        return f"'{rfc3339(moment)}'"

    def time_filter(self, column: str, start: datetime, end: datetime) -> str:
        """``$__timeFilter(column)``."""
        return f"{column} BETWEEN {self.time_literal(start)} AND {self.time_literal(end)}"

    def time_epoch(self, column: str) -> str:
        """``$__timeEpoch(column)``: the column as epoch seconds, named time."""
        return f'extract(epoch from {column}) as "time"'

    def time_group(self, column: str, interval: timedelta) -> str:
        """``$__timeGroup(column, interval)``: the start of the column's interval, as epoch seconds."""
        seconds = go_float(interval.total_seconds())
        return f"floor(extract(epoch from {column})/{seconds})*{seconds}"

    def unix_epoch_group(self, column: str, interval: timedelta) -> str:
        """``$__unixEpochGroup(column, interval)`` for a column of epoch seconds."""
        seconds = go_float(interval.total_seconds())
        return f"floor(({column})/{seconds})*{seconds}"

    def alias(self, expression: str) -> str:
        """An expression named time (``$__time``, ``$__timeGroupAlias``...)."""
        return f'{expression} AS "time"'

    def field_type(self, type_code: object) -> FieldType | None:
        """The frame type of a column from the driver's ``cursor.description`` type code; None: infer from values."""
        return None


# PostgreSQL type OIDs and the field types Grafana's PostgreSQL data source gives them.
_PG_TYPES = {
    16: FieldType.BOOL,
    20: FieldType.INT64,
    21: FieldType.INT16,
    23: FieldType.INT32,
    114: FieldType.JSON,
    700: FieldType.FLOAT64,
    701: FieldType.FLOAT64,
    1082: FieldType.TIME,
    1114: FieldType.TIME,
    1184: FieldType.TIME,
    1700: FieldType.FLOAT64,
    3802: FieldType.JSON,
}


class PostgresDialect(Dialect):
    """PostgreSQL, as Grafana's PostgreSQL data source; ``timescaledb=True`` groups with ``time_bucket``."""

    def __init__(self, *, timescaledb: bool = False) -> None:
        self.timescaledb = timescaledb

    def time_group(self, column: str, interval: timedelta) -> str:
        """``floor(extract(epoch from col)/300)*300``, or ``time_bucket('300.000s',col)`` with TimescaleDB."""
        if self.timescaledb:
            return f"time_bucket('{interval.total_seconds():.3f}s',{column})"
        return super().time_group(column, interval)

    def field_type(self, type_code: object) -> FieldType | None:
        """Integers keep their width, numeric is float64, json/jsonb are JSON, unknown types are strings."""
        return _PG_TYPES.get(type_code, FieldType.STRING) if isinstance(type_code, int) else None


class SQLiteDialect(Dialect):
    """SQLite with times stored as epoch seconds (integers or reals): filters and groups compare numbers."""

    time_columns = ("time", "time_sec")

    def time_literal(self, moment: datetime) -> str:
        """Epoch seconds."""
        return str(epoch_seconds(moment))

    def time_epoch(self, column: str) -> str:
        """The column is epoch seconds already."""
        return self.alias(column)

    def time_group(self, column: str, interval: timedelta) -> str:
        """``(CAST(col / 300 AS INTEGER) * 300)`` (SQLite may lack ``floor``)."""
        seconds = go_float(interval.total_seconds())
        return f"(CAST({column} / {seconds} AS INTEGER) * {seconds})"

    def unix_epoch_group(self, column: str, interval: timedelta) -> str:
        """As :meth:`time_group`: the column holds epoch seconds."""
        return self.time_group(f"({column})", interval)
