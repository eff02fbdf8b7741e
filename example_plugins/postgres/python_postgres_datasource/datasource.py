"""The PostgreSQL data source: SQL with Grafana's macros through ``sqlutil``, a health check, editor resources."""

from __future__ import annotations

import asyncio
from typing import Any

import psycopg

from grafana_plugin_sdk import sqlutil
from grafana_plugin_sdk.backend import (
    CallResourceRequest,
    CallResourceResponse,
    CallResourceResponseSender,
    CheckHealthRequest,
    CheckHealthResult,
    DataQuery,
    DataResponse,
    DataSourceInstanceSettings,
    QueryDataRequest,
    QueryDataResponse,
)

from . import resources
from .connection import connect_args, read_only
from .demo import create_demo_schema


class PostgresDataSource:
    """One instance per data source: a connection per call (read-only transactions), the demo schema on demand.

    Settings: ``url`` (``host:port`` or a ``postgresql://`` URL), ``user``, ``jsonData.database``,
    ``jsonData.sslmode``, ``jsonData.timescaledb``, ``jsonData.demoData`` and ``secureJsonData.password``.
    """

    def __init__(self, settings: DataSourceInstanceSettings) -> None:
        self.args = connect_args(settings)
        self.dialect = sqlutil.PostgresDialect(timescaledb=bool(settings.json_data.get("timescaledb")))
        self.demo = bool(settings.json_data.get("demoData"))
        self._demo_ready = False

    async def connect(self) -> psycopg.AsyncConnection[Any]:
        """A read-only autocommit connection; the demo schema is created first when the settings ask for it."""
        if self.demo and not self._demo_ready:
            await asyncio.to_thread(self._create_demo)
        return await psycopg.AsyncConnection.connect(**read_only(self.args), autocommit=True)

    def _create_demo(self) -> None:
        with psycopg.connect(**self.args, autocommit=True) as connection:
            create_demo_schema(connection)
        self._demo_ready = True

    async def query_data(self, request: QueryDataRequest) -> QueryDataResponse:
        """Run each query's ``rawSql`` (``format``: ``time_series`` by default, as Grafana's, or ``table``)."""
        limit = sqlutil.row_limit(request.plugin_context.grafana_config)
        answers = await asyncio.gather(*(self._query(q, limit) for q in request.queries))
        return QueryDataResponse({q.ref_id: a for q, a in zip(request.queries, answers, strict=True)})

    async def _query(self, query: DataQuery, limit: int) -> DataResponse:
        try:
            sql_query = sqlutil.Query.from_data_query(query)
            async with await self.connect() as connection:
                frame = await sqlutil.run_query_async(connection, sql_query, self.dialect, limit=limit)
        except sqlutil.QueryError as exc:
            return DataResponse.error_response(str(exc), 400)
        except psycopg.Error as exc:  # connecting, or creating the demo schema
            return DataResponse.error_response(f"database unavailable: {str(exc).strip()}", 502)
        frame.ref_id = query.ref_id
        return DataResponse([frame])

    async def check_health(self, request: CheckHealthRequest) -> CheckHealthResult:
        """OK when a query runs; details give the server version and the number of user tables."""
        try:
            async with await self.connect() as connection:
                cursor = await connection.execute(
                    "SELECT current_setting('server_version'), count(*) FROM information_schema.tables "
                    "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
                )
                version, tables = await cursor.fetchone() or ("", 0)
        except psycopg.Error as exc:
            return CheckHealthResult.error(f"Database connection failed: {str(exc).strip()}")
        return CheckHealthResult.ok("Database Connection OK", {"version": version, "tables": tables})

    async def call_resource(self, request: CallResourceRequest, sender: CallResourceResponseSender) -> None:
        """``schemas``, ``tables?schema=`` and ``columns?schema=&table=`` for the query editor."""
        try:
            async with await self.connect() as connection:
                response = await resources.answer(connection, request)
        except psycopg.Error as exc:
            response = CallResourceResponse.json({"message": f"database unavailable: {str(exc).strip()}"}, 502)
        await sender.send_async(response)
