"""The IO-free half of the clients: URLs, request bodies, response decoding and errors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
import orjson

from grafana_plugin_sdk.backend import CheckHealthResult, HealthStatus, QueryDataResponse, data_response_from_dict

from ._errors import FetchError

Params = Mapping[str, Any] | None


@dataclass(frozen=True)
class FetchResponse:
    """A whole response as ``datasource_request`` returns it (BackendSrv's ``FetchResponse``)."""

    status: int
    status_text: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    data: Any = None

    @property
    def ok(self) -> bool:
        """Whether the status is 2xx."""
        return 200 <= self.status < 300


def auth_headers(
    auth: tuple[str, str] | None, token: str | None, org_id: int | None
) -> tuple[httpx.Auth | None, dict[str, str]]:
    """httpx auth for ``(user, password)``, or a bearer header for ``token`` (an API key or service account
    token); ``X-Grafana-Org-Id`` when ``org_id`` is set."""
    if auth is not None and token is not None:
        raise ValueError("give either auth=(user, password) or token=, not both")
    headers = {"Accept": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if org_id is not None:
        headers["X-Grafana-Org-Id"] = str(org_id)
    return (httpx.BasicAuth(*auth) if auth is not None else None), headers


def encode_body(data: Any) -> tuple[bytes | None, dict[str, str]]:
    """Request content and headers: bytes and str as they are, anything else as JSON; None sends nothing."""
    if data is None:
        return None, {}
    if isinstance(data, bytes):
        return data, {}
    if isinstance(data, str):
        return data.encode(), {"Content-Type": "text/plain; charset=utf-8"}
    return orjson.dumps(data, option=orjson.OPT_SERIALIZE_NUMPY), {"Content-Type": "application/json"}


def decode_body(response: httpx.Response) -> Any:
    """The body: parsed JSON when it is JSON, else text (None when empty)."""
    if not response.content:
        return None
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return response.text


def to_fetch_response(response: httpx.Response) -> FetchResponse:
    """A FetchResponse for any status."""
    return FetchResponse(
        status=response.status_code,
        status_text=response.reason_phrase,
        url=str(response.request.url),
        headers=dict(response.headers),
        data=decode_body(response),
    )


def error_for(response: FetchResponse, method: str) -> FetchError:
    """The FetchError for a non-2xx response: the body's ``message`` (Grafana's errors carry one) or the status text."""
    data = response.data
    message = data.get("message") if isinstance(data, dict) else None
    return FetchError(
        response.status,
        str(message) if message else response.status_text or f"HTTP {response.status}",
        data,
        status_text=response.status_text,
        method=method,
        url=response.url,
    )


def checked(response: FetchResponse, method: str) -> FetchResponse:
    """``response`` when 2xx, else raise its FetchError."""
    if not response.ok:
        raise error_for(response, method)
    return response


def connection_error(exc: httpx.HTTPError, method: str, url: str) -> FetchError:
    """The FetchError (status 0) for a request that got no response."""
    return FetchError(
        0, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__, None, method=method, url=url
    )


def segment(value: str | int) -> str:
    """One URL path segment, escaped."""
    return quote(str(value), safe="")


def datasource_path(uid: str) -> str:
    """``/api/datasources/uid/<uid>``."""
    return f"/api/datasources/uid/{segment(uid)}"


def resource_path(uid: str, path: str) -> str:
    """``/api/datasources/uid/<uid>/resources/<path>`` (``path`` keeps its slashes)."""
    return f"{datasource_path(uid)}/resources/{quote(path.lstrip('/'), safe='/')}"


def query_body(
    queries: Sequence[Mapping[str, Any]], datasource: str | None, from_: str | int, to: str | int
) -> dict[str, Any]:
    """The ``/api/ds/query`` body; ``datasource`` (a uid) is set on queries that name none, refIds default A, B..."""
    built = []
    for i, query in enumerate(queries):
        item = dict(query)
        item.setdefault("refId", chr(ord("A") + i) if i < 26 else f"Q{i}")
        if datasource is not None:
            item.setdefault("datasource", {"uid": datasource})
        built.append(item)
    return {"from": str(from_), "to": str(to), "queries": built}


def query_result(response: FetchResponse) -> QueryDataResponse:
    """The results of ``/api/ds/query``, also from a 400/207 that carries per-refId errors; FetchError otherwise."""
    data = response.data
    results = data.get("results") if isinstance(data, dict) else None
    if not isinstance(results, dict):
        raise error_for(response, "POST")
    return QueryDataResponse({ref: data_response_from_dict(doc) for ref, doc in results.items()})


def health_result(response: FetchResponse) -> CheckHealthResult:
    """The health check's result, also from the 400 of an unhealthy data source; FetchError otherwise."""
    data = response.data
    status = data.get("status") if isinstance(data, dict) else None
    if not isinstance(status, str) or status not in HealthStatus.__members__:
        raise error_for(response, "GET")
    details = data.get("details")
    return CheckHealthResult(
        HealthStatus[status], str(data.get("message", "")), details if isinstance(details, dict) else None
    )
