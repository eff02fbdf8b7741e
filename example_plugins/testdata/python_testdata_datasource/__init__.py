"""Python TestData: a data source plugin that generates test data (Grafana's TestData, in Python)."""

from .datasource import TestDataSource
from .scenarios import SCENARIOS

PLUGIN_ID = "python-testdata-datasource"

__all__ = ["PLUGIN_ID", "SCENARIOS", "TestDataSource"]
