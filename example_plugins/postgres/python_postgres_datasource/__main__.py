"""Entry point Grafana (through the launcher) runs: serve one PostgresDataSource per configured data source."""

from grafana_plugin_sdk import datasource

from . import PLUGIN_ID
from .datasource import PostgresDataSource

datasource.manage(PLUGIN_ID, PostgresDataSource)
