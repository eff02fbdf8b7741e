"""Entry point Grafana (through the launcher) runs: serve one TestDataSource per configured data source.

The data source module (numpy, pyarrow) is imported when the first instance is built, not at start-up: the
plugin answers the handshake sooner and idles smaller until it is first used.
"""

from grafana_plugin_sdk import datasource
from grafana_plugin_sdk.backend import DataSourceInstanceSettings

from . import PLUGIN_ID


def instance(settings: DataSourceInstanceSettings) -> object:
    """A TestDataSource for ``settings``."""
    from .datasource import TestDataSource

    return TestDataSource(settings)


datasource.manage(PLUGIN_ID, instance)
