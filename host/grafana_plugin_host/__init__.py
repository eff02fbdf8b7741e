"""A small host for Grafana backend plugins serving Grafana's data source HTTP API."""
