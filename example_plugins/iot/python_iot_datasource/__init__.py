"""Python IoT devices: read device state history and switch devices from Grafana (resource write-back)."""

PLUGIN_ID = "python-iot-datasource"

__all__ = ["PLUGIN_ID"]
