"""Python Device Hub: an app plugin whose resource API lists and registers devices, per org's app settings."""

PLUGIN_ID = "python-hub-app"

__all__ = ["PLUGIN_ID"]
