"""Implementation of :mod:`grafana_plugin_sdk.httpadapter` (private; import from there)."""
