"""A Python client for the host's HTTP API (Grafana's data source API), shaped after Grafana's BackendSrv."""

from ._errors import FetchError

__all__ = ["FetchError"]
