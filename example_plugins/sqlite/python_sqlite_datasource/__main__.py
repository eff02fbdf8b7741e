"""Entry point Grafana (through the launcher) runs: serve one SQLiteDataSource per configured data source."""

from grafana_plugin_sdk import datasource

from . import PLUGIN_ID
from .datasource import SQLiteDataSource

datasource.manage(PLUGIN_ID, SQLiteDataSource)
