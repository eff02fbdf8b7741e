"""The SQLite data source: SQL queries with time macros, a health check, autocompletion resources."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from grafana_plugin_sdk import httpadapter, sqlutil
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
from .query import connect
from .resources import create_app
from .schema import QUERY, SETTINGS, SQLiteQuery


class SQLiteDataSource:
    """One instance per data source; ``jsonData.path`` names the database file (``demoData: true`` creates it)."""

    def __init__(self, settings: DataSourceInstanceSettings) -> None:
        config = SETTINGS.parse(settings)
        self.path = config.path
        if config.demo_data and not Path(self.path).exists():
            create_demo_database(self.path)
        self.dialect = sqlutil.SQLiteDialect()
        self._mux = QueryTypeMux()
        self._mux.handle("", QUERY.handler(self._query))
        self._resources = httpadapter.wsgi(create_app(self.connect))

    def connect(self) -> sqlite3.Connection:
        """A read-only connection to the configured file."""
        return connect(self.path)

    def _query(self, request: QueryDataRequest, query: DataQuery, parsed: SQLiteQuery) -> DataResponse:
        limit = sqlutil.row_limit(request.plugin_context.grafana_config)
        try:
            sql_query = sqlutil.Query(
                raw_sql=parsed.raw_sql,
                time_from=query.time_range.from_,
                time_to=query.time_range.to,
                interval=query.interval,
                format=sqlutil.Format(parsed.format),
            )
            with closing(self.connect()) as db:
                frame = sqlutil.run_query(db, sql_query, self.dialect, limit=limit)
        except sqlutil.QueryError as exc:
            return DataResponse.error_response(str(exc), 400)
        return DataResponse([frame])

    async def query_data(self, request: QueryDataRequest) -> QueryDataResponse:
        """Run each query's ``rawSql`` with Grafana's macros (``format``: ``table`` by default, or ``time_series``)."""
        return await self._mux.query_data(request)

    def check_health(self, request: CheckHealthRequest) -> CheckHealthResult:
        """Healthy when the file opens as a SQLite database; details count its tables."""
        try:
            with closing(self.connect()) as db:
                (tables,) = db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()
        except sqlutil.QueryError as exc:
            return CheckHealthResult.error(str(exc))
        except sqlite3.DatabaseError as exc:
            return CheckHealthResult.error(f"{self.path} is not a SQLite database: {exc}")
        return CheckHealthResult.ok(f"Database is readable ({tables} tables)", {"path": self.path, "tables": tables})

    def call_resource(self, request: CallResourceRequest, sender: CallResourceResponseSender) -> None:
        """``tables`` and ``columns?table=`` for query-editor autocompletion."""
        self._resources.call_resource(request, sender)
