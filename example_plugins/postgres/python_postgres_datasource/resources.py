"""Resources for the query editor: ``GET schemas``, ``GET tables?schema=``, ``GET columns?schema=&table=``."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from grafana_plugin_sdk.backend import CallResourceRequest, CallResourceResponse

_SYSTEM = "('pg_catalog', 'information_schema', 'pg_toast')"
SCHEMAS = f"SELECT schema_name FROM information_schema.schemata WHERE schema_name NOT IN {_SYSTEM} ORDER BY 1"
TABLES = "SELECT table_name FROM information_schema.tables WHERE table_schema = %(schema)s ORDER BY 1"
COLUMNS = (
    "SELECT column_name, data_type FROM information_schema.columns "
    "WHERE table_schema = %(schema)s AND table_name = %(table)s ORDER BY ordinal_position"
)


async def answer(connection: Any, request: CallResourceRequest) -> CallResourceResponse:
    """The JSON answer for a resource call; 404 for unknown paths and tables, 405 for other methods, 400 for
    missing parameters."""
    path = request.path.strip("/")
    if path not in ("schemas", "tables", "columns"):
        return CallResourceResponse.json({"message": f"no resource {path!r}: try schemas, tables or columns"}, 404)
    if request.method.upper() != "GET":
        return CallResourceResponse.json({"message": f"{path} answers GET only"}, 405, {"allow": ["GET"]})
    params = {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}
    if path == "schemas":
        return CallResourceResponse.json(await _column(connection, SCHEMAS, {}))
    schema = params.get("schema", "public")
    if path == "tables":
        return CallResourceResponse.json(await _column(connection, TABLES, {"schema": schema}))
    table = params.get("table", "")
    if not table:
        return CallResourceResponse.json({"message": "the table query parameter is required"}, 400)
    cursor = await connection.execute(COLUMNS, {"schema": schema, "table": table})
    columns = [{"name": name, "type": type_} for name, type_ in await cursor.fetchall()]
    if not columns:
        return CallResourceResponse.json({"message": f"no table {schema}.{table}"}, 404)
    return CallResourceResponse.json(columns)


async def _column(connection: Any, sql: str, params: dict[str, str]) -> list[Any]:
    cursor = await connection.execute(sql, params)
    return [row[0] for row in await cursor.fetchall()]
