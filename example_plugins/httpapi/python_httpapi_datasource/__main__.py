"""Entry point Grafana (through the launcher) runs: serve one HttpApiDataSource per configured data source."""

from grafana_plugin_sdk import datasource

from . import PLUGIN_ID
from .datasource import HttpApiDataSource

datasource.manage(PLUGIN_ID, HttpApiDataSource)
