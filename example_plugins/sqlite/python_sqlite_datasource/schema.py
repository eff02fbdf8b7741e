"""The SQLite data source's editors: its settings and its query, declared for the generic frontend."""

from __future__ import annotations

from dataclasses import dataclass

from grafana_plugin_sdk import editors


@dataclass(frozen=True)
class SQLiteSettings:
    """``jsonData`` of a SQLite data source."""

    path: str = editors.text(
        "Database file", required=True, placeholder="/var/lib/grafana/data.sqlite", description="Opened read-only"
    )
    demo_data: bool = editors.boolean(
        "Demo data", key="demoData", description="Create the file with demo tables when it does not exist"
    )


@dataclass(frozen=True)
class SQLiteQuery:
    """One SQL query."""

    raw_sql: str = editors.code(
        "SQL",
        key="rawSql",
        language="sql",
        required=True,
        description="Time macros: $__timeFilter(column), $__timeFrom(), $__timeTo(), $__timeGroup(column, 1m)",
    )
    format: str = editors.select(
        "Format", options=[("table", "Table"), ("time_series", "Time series")], default="table"
    )
    table: str = editors.select(
        "Tables", options_resource="tables", description="The database's tables, to look up a name for the SQL"
    )


SETTINGS = editors.SettingsSchema(SQLiteSettings)
QUERY = editors.QuerySchema(SQLiteQuery)
