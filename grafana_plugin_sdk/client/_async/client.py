"""The client for the host's (and Grafana's) HTTP API, shaped after Grafana's BackendSrv."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any

import httpx

from grafana_plugin_sdk.backend import CheckHealthResult, QueryDataResponse

from .. import _core
from .._core import FetchResponse, Params


class AsyncGrafanaClient:
    """Calls a Grafana-compatible HTTP API, as Grafana's BackendSrv does: failures raise FetchError.

    ``auth=(user, password)`` for basic auth or ``token=`` for a bearer token; ``org_id`` picks the org.
    """

    def __init__(
        self,
        url: str,
        *,
        auth: tuple[str, str] | None = None,
        token: str | None = None,
        org_id: int | None = None,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        basic, headers = _core.auth_headers(auth, token, org_id)
        self._http = httpx.AsyncClient(
            base_url=url.rstrip("/"), auth=basic, headers=headers, timeout=timeout, transport=transport
        )

    async def aclose(self) -> None:
        """Close the connections."""
        await self._http.aclose()

    async def __aenter__(self) -> AsyncGrafanaClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    # --- BackendSrv ----------------------------------------------------------------------------------

    async def _send(
        self, method: str, url: str, params: Params = None, data: Any = None, headers: Mapping[str, str] | None = None
    ) -> FetchResponse:
        content, extra = _core.encode_body(data)
        try:
            response = await self._http.request(
                method, url, params=params, content=content, headers={**extra, **(headers or {})}
            )
        except httpx.HTTPError as exc:
            raise _core.connection_error(exc, method, url) from exc
        return _core.to_fetch_response(response)

    async def datasource_request(
        self,
        url: str,
        *,
        method: str = "GET",
        params: Params = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> FetchResponse:
        """The whole response (status, headers, parsed data); FetchError unless 2xx or when no response came."""
        return _core.checked(await self._send(method, url, params, data, headers), method)

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Params = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """The parsed body (JSON, else text); FetchError unless 2xx."""
        response = await self.datasource_request(url, method=method, params=params, data=data, headers=headers)
        return response.data

    async def get(self, url: str, params: Params = None) -> Any:
        """GET; the parsed body."""
        return await self.request("GET", url, params=params)

    async def post(self, url: str, data: Any = None) -> Any:
        """POST ``data`` (JSON unless bytes/str); the parsed body."""
        return await self.request("POST", url, data=data)

    async def put(self, url: str, data: Any = None) -> Any:
        """PUT; the parsed body."""
        return await self.request("PUT", url, data=data)

    async def patch(self, url: str, data: Any = None) -> Any:
        """PATCH; the parsed body."""
        return await self.request("PATCH", url, data=data)

    async def delete(self, url: str) -> Any:
        """DELETE; the parsed body."""
        return await self.request("DELETE", url)

    # --- data sources --------------------------------------------------------------------------------

    async def get_resource(self, uid: str, path: str, params: Params = None) -> Any:
        """``getResource``: GET a data source's resource route; the parsed body."""
        return await self.get(_core.resource_path(uid, path), params)

    async def post_resource(self, uid: str, path: str, data: Any = None) -> Any:
        """``postResource``: POST to a data source's resource route; the parsed body."""
        return await self.post(_core.resource_path(uid, path), data)

    async def query(
        self,
        queries: Sequence[Mapping[str, Any]],
        *,
        datasource: str | None = None,
        from_: str | int = "now-1h",
        to: str | int = "now",
    ) -> QueryDataResponse:
        """``POST /api/ds/query``: the results by refId (per-refId errors included, not raised)."""
        return _core.query_result(
            await self._send("POST", "/api/ds/query", data=_core.query_body(queries, datasource, from_, to))
        )

    async def check_health(self, uid: str) -> CheckHealthResult:
        """``GET /api/datasources/uid/<uid>/health``: the result, also when the data source is unhealthy."""
        return _core.health_result(await self._send("GET", f"{_core.datasource_path(uid)}/health"))

    async def list_datasources(self) -> list[dict[str, Any]]:
        """Every data source of the org."""
        result: list[dict[str, Any]] = await self.get("/api/datasources")
        return result

    async def get_datasource(self, uid: str) -> dict[str, Any]:
        """One data source by uid."""
        result: dict[str, Any] = await self.get(_core.datasource_path(uid))
        return result

    async def create_datasource(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        """Create a data source (``name``, ``type``, ``access`` default ``proxy``...); the created DTO."""
        result = await self.post("/api/datasources", {"access": "proxy", **spec})
        return result["datasource"]  # type: ignore[no-any-return]

    async def update_datasource(self, uid: str, spec: Mapping[str, Any]) -> dict[str, Any]:
        """Replace a data source's settings; the updated DTO."""
        result = await self.put(_core.datasource_path(uid), {"access": "proxy", **spec})
        return result["datasource"]  # type: ignore[no-any-return]

    async def delete_datasource(self, uid: str) -> None:
        """Delete a data source."""
        await self.delete(_core.datasource_path(uid))
