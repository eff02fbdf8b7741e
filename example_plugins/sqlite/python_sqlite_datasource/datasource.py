"""The SQLite data source: SQL queries with time macros, a health check, autocompletion resources."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from grafana_plugin_sdk import httpadapter
from grafana_plugin_sdk.backend import (
    CallResourceRequest,
    CallResourceResponseSender,
    CheckHealthRequest,
    CheckHealthResult,
    DataQuery,
    DataResponse,
    DataSourceInstanceSettings,
    QueryDataRequest,
    QueryDataResponse,
    QueryTypeMux,
)

from .demo import create_demo_database
from .macros import MacroContext, MacroError
from .query import QueryError, connect, run_query
from .resources import create_app
from .schema import QUERY, SETTINGS, SQLiteQuery


class SQLiteDataSource:
    """One instance per data source; ``jsonData.path`` names the database file (``demoData: true`` creates it)."""

    def __init__(self, settings: DataSourceInstanceSettings) -> None:
        config = SETTINGS.parse(settings)
        self.path = config.path
        if config.demo_data and not Path(self.path).exists():
            create_demo_database(self.path)
        self._mux = QueryTypeMux()
        self._mux.handle("", QUERY.handler(self._query))
        self._resources = httpadapter.wsgi(create_app(self.connect))

    def connect(self) -> sqlite3.Connection:
        """A read-only connection to the configured file."""
        return connect(self.path)

    def _query(self, request: QueryDataRequest, query: DataQuery, parsed: SQLiteQuery) -> DataResponse:
        sql = parsed.raw_sql.strip()
        if not sql:
            return DataResponse.error_response("rawSql is empty", 400)
        ctx = MacroContext(query.time_range.from_, query.time_range.to, query.interval)
        row_limit = int(request.plugin_context.grafana_config.get("GF_SQL_ROW_LIMIT", "1000000") or 1_000_000)
        try:
            with closing(self.connect()) as db:
                frame = run_query(db, sql, ctx, fmt=parsed.format, row_limit=row_limit)
        except (QueryError, MacroError) as exc:
            return DataResponse.error_response(str(exc), 400)
        return DataResponse([frame])

    async def query_data(self, request: QueryDataRequest) -> QueryDataResponse:
        """Run each query's ``rawSql`` (``format``: ``table`` or ``time_series``)."""
        return await self._mux.query_data(request)

    def check_health(self, request: CheckHealthRequest) -> CheckHealthResult:
        """Healthy when the file opens as a SQLite database; details count its tables."""
        try:
            with closing(self.connect()) as db:
                (tables,) = db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()
        except QueryError as exc:
            return CheckHealthResult.error(str(exc))
        except sqlite3.DatabaseError as exc:
            return CheckHealthResult.error(f"{self.path} is not a SQLite database: {exc}")
        return CheckHealthResult.ok(f"Database is readable ({tables} tables)", {"path": self.path, "tables": tables})

    def call_resource(self, request: CallResourceRequest, sender: CallResourceResponseSender) -> None:
        """``tables`` and ``columns?table=`` for query-editor autocompletion."""
        self._resources.call_resource(request, sender)
