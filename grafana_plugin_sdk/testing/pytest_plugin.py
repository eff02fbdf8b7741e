"""The pytest plugin registered by entry point: fixtures for testing Grafana plugins."""
