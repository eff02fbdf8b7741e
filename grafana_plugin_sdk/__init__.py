"""Python SDK for Grafana backend plugins, wire-compatible with grafana-plugin-sdk-go."""

__version__ = "0.1.0"

__all__ = ["__version__"]
