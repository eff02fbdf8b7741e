"""Entry point Grafana (through the launcher) runs: serve one IoTDataSource per configured data source."""

from grafana_plugin_sdk import datasource

from . import PLUGIN_ID
from .datasource import IoTDataSource

datasource.manage(PLUGIN_ID, IoTDataSource)
