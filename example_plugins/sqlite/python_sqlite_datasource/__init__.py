"""Python SQLite: a data source plugin that queries a SQLite file with SQL and Grafana's time macros."""

PLUGIN_ID = "python-sqlite-datasource"

__all__ = ["PLUGIN_ID"]
