"""Entry point Grafana (through the launcher) runs: serve one TestDataSource per configured data source."""

from grafana_plugin_sdk import datasource

from . import PLUGIN_ID
from .datasource import TestDataSource

datasource.manage(PLUGIN_ID, TestDataSource)
