"""Resource calls for tests: building the request from method/path/body and joining the streamed answer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import orjson

from grafana_plugin_sdk.backend import CallResourceRequest, CallResourceResponse, PluginContext
from grafana_plugin_sdk.client import FetchError

#: Marks "no JSON body given" (``None`` is a valid JSON body).
NO_JSON: Any = object()


@dataclass(frozen=True)
class ResourceResponse:
    """A whole resource response: the first message's status and headers, every message's body joined."""

    status: int
    headers: dict[str, list[str]] = field(default_factory=dict)
    body: bytes = b""

    @classmethod
    def join(cls, messages: list[CallResourceResponse]) -> ResourceResponse:
        """Join streamed messages; no message at all is a 500 as the host answers it."""
        if not messages:
            return cls(500, {}, b'{"message":"the plugin sent no response"}')
        first = messages[0]
        return cls(first.status, dict(first.headers), b"".join(m.body for m in messages))

    def header(self, name: str) -> str | None:
        """The first value of a header (case-insensitive), or None."""
        wanted = name.lower()
        for key, values in self.headers.items():
            if key.lower() == wanted and values:
                return values[0]
        return None

    @property
    def text(self) -> str:
        """The body decoded as UTF-8."""
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        """The body parsed as JSON."""
        return orjson.loads(self.body)

    def data(self) -> Any:
        """The body as a caller of ``getResource`` sees it: parsed JSON when it is JSON, else the text."""
        try:
            return orjson.loads(self.body) if self.body else None
        except orjson.JSONDecodeError:
            return self.text

    def raise_for_status(self, method: str, path: str) -> None:
        """Raise :class:`~grafana_plugin_sdk.client.FetchError` (status, message, data) unless the status is 2xx."""
        if 200 <= self.status < 300:
            return
        data = self.data()
        message = data.get("message") if isinstance(data, dict) else None
        raise FetchError(
            self.status,
            str(message) if message else f"resource call failed with status {self.status}",
            data,
            method=method,
            url=path,
        )


def resource_request(
    context: PluginContext,
    method: str,
    path: str,
    *,
    params: Mapping[str, Any] | None = None,
    body: bytes = b"",
    json: Any = NO_JSON,
    headers: Mapping[str, str] | None = None,
) -> CallResourceRequest:
    """The CallResourceRequest a host sends for ``METHOD /api/datasources/uid/<uid>/resources/<path>``."""
    path = path.lstrip("/")
    all_headers = {k: [v] for k, v in (headers or {}).items()}
    if json is not NO_JSON:
        body = orjson.dumps(json, option=orjson.OPT_SERIALIZE_NUMPY)
        all_headers.setdefault("Content-Type", ["application/json"])
    query = f"?{urlencode(params, doseq=True)}" if params else ""
    return CallResourceRequest(
        plugin_context=context,
        path=path,
        method=method.upper(),
        url=f"{path}{query}",
        headers=all_headers,
        body=body,
    )
