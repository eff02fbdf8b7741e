"""Entry point Grafana (through the launcher) runs: serve one SQLiteDataSource per configured data source."""

import sys

from grafana_plugin_sdk import datasource

from . import PLUGIN_ID

try:
    from .datasource import SQLiteDataSource
except ModuleNotFoundError as exc:  # its web framework is not installed in the Python that runs it
    sys.exit(f"{PLUGIN_ID} needs {exc.name}: pip install {exc.name}")

datasource.manage(PLUGIN_ID, SQLiteDataSource)
