"""Python PostgreSQL: a data source plugin querying PostgreSQL through psycopg and ``grafana_plugin_sdk.sqlutil``."""

PLUGIN_ID = "python-postgres-datasource"

__all__ = ["PLUGIN_ID"]
