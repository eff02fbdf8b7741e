"""Python HTTP API: time series read from an HTTP JSON API through the SDK's HTTP client."""

PLUGIN_ID = "python-httpapi-datasource"

__all__ = ["PLUGIN_ID"]
