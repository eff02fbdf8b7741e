"""Response types plugin handlers return: small builders with Python types."""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from grafana_plugin_sdk.data import Frame


class ErrorSource(enum.StrEnum):
    """Who is to blame for an error: the plugin itself or a system it calls."""

    PLUGIN = "plugin"
    DOWNSTREAM = "downstream"

    @classmethod
    def from_http_status(cls, status: int) -> ErrorSource:
        """Grafana's rule: client-side protocol statuses are the plugin's, the rest downstream."""
        return cls.PLUGIN if status in _PLUGIN_STATUSES else cls.DOWNSTREAM


_PLUGIN_STATUSES = frozenset({405, 406, 412, 413, 414, 416, 417, 426, 431, 501})


class DownstreamError(Exception):
    """Raise from a handler when a system the plugin calls failed (error source ``downstream``)."""

    def __init__(self, message: str, status: int = 500) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class DataResponse:
    """The answer to one query (one refId): frames, or an error with a status and source."""

    frames: list[Frame] = field(default_factory=list)
    error: str | None = None
    status: int = 0
    error_source: ErrorSource | None = None

    @classmethod
    def error_response(cls, message: str, status: int = 500, source: ErrorSource = ErrorSource.PLUGIN) -> DataResponse:
        """A response that reports an error."""
        return cls(error=message, status=status, error_source=source)

    @classmethod
    def downstream_error(cls, message: str, status: int = 500) -> DataResponse:
        """A response that reports an error in a system the plugin calls."""
        return cls.error_response(message, status, ErrorSource.DOWNSTREAM)

    @classmethod
    def from_exception(cls, exc: BaseException) -> DataResponse:
        """The response for an exception a handler raised: a DownstreamError keeps its status and source, a
        failed outgoing HTTP call (httpx) is downstream (504 timeout, 502 transport, else its status), anything else
        is a 500 from the plugin naming the exception."""
        from ._http_errors import http_error_response  # it builds DataResponses itself

        if (http := http_error_response(exc)) is not None:
            return http
        if isinstance(exc, DownstreamError):
            return cls.error_response(str(exc) or "downstream error", exc.status, ErrorSource.DOWNSTREAM)
        return cls.error_response(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)

    def effective_status(self) -> int:
        """The status sent on the wire: the one set if valid, else 500 on error, else 200."""
        if 100 <= self.status <= 599:
            return self.status
        return 500 if self.error else 200


@dataclass
class QueryDataResponse:
    """Responses keyed by refId."""

    responses: dict[str, DataResponse] = field(default_factory=dict)

    def __getitem__(self, ref_id: str) -> DataResponse:
        return self.responses[ref_id]

    def __setitem__(self, ref_id: str, response: DataResponse) -> None:
        self.responses[ref_id] = response

    def __contains__(self, ref_id: object) -> bool:
        return ref_id in self.responses

    def __iter__(self) -> Iterator[str]:
        return iter(self.responses)

    def __len__(self) -> int:
        return len(self.responses)


class HealthStatus(enum.IntEnum):
    """CheckHealth outcome."""

    UNKNOWN = 0
    OK = 1
    ERROR = 2


@dataclass
class CheckHealthResult:
    """The result of a health check; ``details`` is any JSON object."""

    status: HealthStatus = HealthStatus.OK
    message: str = ""
    details: dict[str, Any] | None = None

    @classmethod
    def ok(cls, message: str = "Data source is working", details: dict[str, Any] | None = None) -> CheckHealthResult:
        """A healthy result."""
        return cls(HealthStatus.OK, message, details)

    @classmethod
    def error(cls, message: str, details: dict[str, Any] | None = None) -> CheckHealthResult:
        """An unhealthy result."""
        return cls(HealthStatus.ERROR, message, details)


@dataclass
class CollectMetricsResult:
    """Prometheus text exposition of the plugin's metrics."""

    prometheus: bytes = b""


@dataclass
class CallResourceResponse:
    """One message of a resource response. The first carries status and headers; later ones add body."""

    status: int = 200
    headers: dict[str, list[str]] = field(default_factory=dict)
    body: bytes = b""

    @classmethod
    def json(
        cls, value: Any, status: int = 200, headers: Mapping[str, list[str]] | None = None
    ) -> CallResourceResponse:
        """A JSON response (``content-type: application/json``)."""
        merged = {"content-type": ["application/json"], **(headers or {})}
        return cls(status, merged, orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY))

    @classmethod
    def text(cls, text: str, status: int = 200, headers: Mapping[str, list[str]] | None = None) -> CallResourceResponse:
        """A plain-text response (``content-type: text/plain; charset=utf-8``)."""
        merged = {"content-type": ["text/plain; charset=utf-8"], **(headers or {})}
        return cls(status, merged, text.encode())


class StreamStatus(enum.IntEnum):
    """Subscribe/publish outcome."""

    OK = 0
    NOT_FOUND = 1
    PERMISSION_DENIED = 2


@dataclass
class SubscribeStreamResponse:
    """Answer to a subscription; ``data`` is optional initial JSON (e.g. a frame schema)."""

    status: StreamStatus = StreamStatus.OK
    data: bytes = b""


@dataclass
class PublishStreamResponse:
    """Answer to a publish; empty ``data`` means Grafana does not republish."""

    status: StreamStatus = StreamStatus.OK
    data: bytes = b""
