"""The HTTP API data source: one ``httpclient`` client per data source, queries mapped to ``GET /series``.

The API it reads (any service with this shape will do):

- ``GET <url>/metrics`` answers ``{"metrics": ["cpu", ...]}`` (health check and the ``metrics`` resource);
- ``GET <url>/series?metric=<name>&from=<epoch ms>&to=<epoch ms>&maxDataPoints=<n>`` answers
  ``{"metric": "cpu", "labels": {"host": "a"}, "points": [[<epoch ms>, <number or null>], ...]}``.

Configuration: the data source URL; ``secureJsonData.apiToken`` is sent as ``X-Api-Token``; every option of
:func:`grafana_plugin_sdk.httpclient.options_from_settings` applies (TLS CA and client certificate, skip verify,
server name, timeout, basic auth, custom headers, ``oauthPassThru`` to send the Grafana user's token upstream).
Upstream failures (unreachable, timeout, error statuses, bad JSON) answer downstream errors.
"""

from __future__ import annotations

from typing import Any

import httpx

from grafana_plugin_sdk import httpclient
from grafana_plugin_sdk.backend import (
    CallResourceRequest,
    CallResourceResponseSender,
    CheckHealthRequest,
    CheckHealthResult,
    DataQuery,
    DataResponse,
    DataSourceInstanceSettings,
    DownstreamError,
    QueryDataRequest,
    QueryDataResponse,
    QueryTypeMux,
)
from grafana_plugin_sdk.data import Field, FieldType, Frame

TOKEN_HEADER = "X-Api-Token"


class HttpApiDataSource:
    """One instance per data source; its HTTP client is closed when the instance is replaced."""

    def __init__(self, settings: DataSourceInstanceSettings) -> None:
        token = settings.decrypted_secure_json_data.get("apiToken", "")
        self.client = httpclient.new_async_client(settings, headers={TOKEN_HEADER: token} if token else None)
        self._mux = QueryTypeMux()
        self._mux.handle("", self._series)

    async def _get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET a JSON document; an error status or a body that is not JSON is the upstream's fault."""
        response = await self.client.get(path, params=params)
        response.raise_for_status()
        try:
            return response.json()
        except ValueError:
            raise DownstreamError(f"GET {path}: the API answered something that is not JSON", 502) from None

    async def _series(self, request: QueryDataRequest, query: DataQuery) -> DataResponse:
        """``GET /series`` for the query's ``metric``: a time field and a number field labelled as the API says."""
        metric = query.model.get("metric")
        if not isinstance(metric, str) or not metric:
            return DataResponse.error_response("the query needs a metric", 400)
        params = {
            "metric": metric,
            "from": round(query.time_range.from_.timestamp() * 1000),
            "to": round(query.time_range.to.timestamp() * 1000),
            "maxDataPoints": query.max_data_points,
        }
        body = await self._get_json("/series", params)
        try:
            points = [(int(t), None if v is None else float(v)) for t, v in body["points"]]
            labels = {str(k): str(v) for k, v in (body.get("labels") or {}).items()}
        except (KeyError, TypeError, ValueError):
            raise DownstreamError("the API answered a series without a valid points list", 502) from None
        frame = Frame(
            metric,
            [
                Field("time", [t * 1_000_000 for t, _ in points], type=FieldType.TIME),
                Field("value", [v for _, v in points], type=FieldType.FLOAT64, nullable=True, labels=labels),
            ],
        )
        return DataResponse([frame])

    async def query_data(self, request: QueryDataRequest) -> QueryDataResponse:
        """Every query concurrently; each failing refId answers its own error."""
        return await self._mux.query_data(request)

    async def _metric_names(self) -> list[str]:
        body = await self._get_json("/metrics")
        names = body.get("metrics") if isinstance(body, dict) else None
        if not isinstance(names, list):
            raise DownstreamError("the API answered /metrics without a metrics list", 502)
        return [str(n) for n in names]

    async def check_health(self, request: CheckHealthRequest) -> CheckHealthResult:
        """OK when ``/metrics`` answers; the error otherwise (unreachable, refused credentials, TLS...)."""
        try:
            names = await self._metric_names()
        except (httpx.HTTPError, DownstreamError) as exc:
            return CheckHealthResult.error(f"{type(exc).__name__}: {exc}")
        return CheckHealthResult.ok(f"{len(names)} metrics available", {"metrics": names})

    async def call_resource(self, request: CallResourceRequest, sender: CallResourceResponseSender) -> None:
        """``GET metrics``: the metric names, for a query editor."""
        if request.path != "metrics" or request.method != "GET":
            sender.send_json({"message": "not found"}, 404)
            return
        try:
            sender.send_json(await self._metric_names())
        except (httpx.HTTPError, DownstreamError) as exc:
            sender.send_json({"message": f"{type(exc).__name__}: {exc}"}, 502)
