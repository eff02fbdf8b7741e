"""``grafana-plugin``: scaffold, build, validate, package and run a Python backend plugin for Grafana."""
