"""Generated protobuf stubs; private to grafana_plugin_sdk."""
