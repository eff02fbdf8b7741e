"""The plugin process's gRPC server (go-plugin contract + pluginv2 services); use ``grafana_plugin_sdk.serve``."""
