"""Python TestData: a data source plugin that generates test data (Grafana's TestData, in Python)."""

PLUGIN_ID = "python-testdata-datasource"

__all__ = ["PLUGIN_ID"]
