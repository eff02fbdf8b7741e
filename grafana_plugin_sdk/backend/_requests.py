"""Request types handed to plugin handlers: frozen dataclasses with Python types."""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any

import orjson

from .http_headers import http_headers

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_USER_AGENT_RE = re.compile(r"^Grafana/(?P<version>[0-9]+\.[0-9]+\.[0-9]+[^ ]*) \((?P<os>[^;]+); (?P<arch>[^)]+)\)$")


def datetime_from_epoch_ms(ms: int) -> datetime:
    """An aware UTC datetime from epoch milliseconds."""
    return _EPOCH + timedelta(milliseconds=ms)


def epoch_ms(moment: datetime) -> int:
    """Epoch milliseconds of an aware (or UTC-naive) datetime."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def _parse_json_object(raw: bytes) -> dict[str, Any]:
    if not raw:
        return {}
    value = orjson.loads(raw)
    return value if isinstance(value, dict) else {}


class FrameFormat(enum.IntEnum):
    """How frames are encoded in a DataResponse (pluginv2 ``DataFrameFormat``)."""

    ARROW = 0
    JSON = 1


@dataclass(frozen=True)
class User:
    """The Grafana user a request is made for."""

    login: str = ""
    name: str = ""
    email: str = ""
    role: str = ""


@dataclass(frozen=True)
class DataSourceInstanceSettings:
    """A data source's configuration, with its secrets decrypted.

    Settings a plugin defines itself live in :attr:`json_data` (the data source's ``jsonData``, e.g.
    ``settings.json_data.get("region", "eu")``) and secrets in :attr:`decrypted_secure_json_data`.
    """

    #: The numeric id (0 when the caller has none).
    id: int = 0
    #: The data source's uid, stable across renames.
    uid: str = ""
    #: The plugin id of the data source (its type).
    type: str = ""
    #: The display name.
    name: str = ""
    #: The ``url`` setting.
    url: str = ""
    #: The ``user`` setting.
    user: str = ""
    #: The ``database`` setting.
    database: str = ""
    #: Whether basic auth is on (its password is ``decrypted_secure_json_data["basicAuthPassword"]``).
    basic_auth_enabled: bool = False
    #: The basic auth user.
    basic_auth_user: str = ""
    #: ``jsonData`` as the JSON bytes sent; read :attr:`json_data` instead.
    json_data_raw: bytes = b"{}"
    #: ``secureJsonData`` decrypted: key -> secret value.
    decrypted_secure_json_data: Mapping[str, str] = field(default_factory=dict)
    #: When the settings last changed (instance management replaces an instance when this changes).
    updated: datetime = _EPOCH
    #: The API version of the settings, if any.
    api_version: str = ""

    @cached_property
    def json_data(self) -> dict[str, Any]:
        """``jsonData`` parsed into a dict (empty when absent or not an object): the plugin's own settings."""
        return _parse_json_object(self.json_data_raw)


@dataclass(frozen=True)
class AppInstanceSettings:
    """An app plugin's configuration, with its secrets decrypted."""

    json_data_raw: bytes = b"{}"
    decrypted_secure_json_data: Mapping[str, str] = field(default_factory=dict)
    updated: datetime = _EPOCH
    api_version: str = ""

    @cached_property
    def json_data(self) -> dict[str, Any]:
        """``jsonData`` parsed into a dict (empty when absent or not an object)."""
        return _parse_json_object(self.json_data_raw)


class GrafanaConfig(dict[str, str]):
    """The ``grafanaConfig`` map sent by the host, with typed accessors for known keys."""

    def app_url(self) -> str:
        """``GF_APP_URL``."""
        return self.get("GF_APP_URL", "")

    def concurrent_query_count(self) -> int:
        """``GF_CONCURRENT_QUERY_COUNT`` (10 when absent or not a number)."""
        try:
            return int(self.get("GF_CONCURRENT_QUERY_COUNT", "10"))
        except ValueError:
            return 10

    def feature_toggles(self) -> frozenset[str]:
        """Enabled feature toggles (``GF_INSTANCE_FEATURE_TOGGLES_ENABLE``)."""
        raw = self.get("GF_INSTANCE_FEATURE_TOGGLES_ENABLE", "")
        return frozenset(t.strip() for t in raw.split(",") if t.strip())


@dataclass(frozen=True)
class UserAgent:
    """The host's user agent, ``Grafana/<version> (<os>; <arch>)``, parsed."""

    grafana_version: str
    os: str
    arch: str

    @classmethod
    def parse(cls, text: str) -> UserAgent | None:
        """Parse a user agent string; None when it is not Grafana's format."""
        match = _USER_AGENT_RE.match(text)
        if match is None:
            return None
        return cls(match["version"], match["os"], match["arch"])

    def __str__(self) -> str:
        return f"Grafana/{self.grafana_version} ({self.os}; {self.arch})"


@dataclass(frozen=True)
class PluginContext:
    """Who calls, for which org, plugin and data source (or app) instance."""

    org_id: int = 0
    plugin_id: str = ""
    plugin_version: str = ""
    user: User | None = None
    app_instance_settings: AppInstanceSettings | None = None
    data_source_instance_settings: DataSourceInstanceSettings | None = None
    grafana_config: GrafanaConfig = field(default_factory=GrafanaConfig)
    user_agent: str = ""
    api_version: str = ""
    namespace: str = ""

    @property
    def parsed_user_agent(self) -> UserAgent | None:
        """The user agent parsed, or None when it is not Grafana's format."""
        return UserAgent.parse(self.user_agent)


@dataclass(frozen=True)
class TimeRange:
    """A query's time range as aware UTC datetimes (``from_`` because ``from`` is a keyword).

    Grafana resolves relative ranges (``now-1h``) before the call. The range may be empty (``from_ == to``) when
    the caller sent none.
    """

    #: The start of the range (inclusive).
    from_: datetime
    #: The end of the range.
    to: datetime

    @property
    def duration(self) -> timedelta:
        """``to - from_``."""
        return self.to - self.from_


@dataclass(frozen=True)
class DataQuery:
    """One query of a QueryData request.

    The query's own parameters (whatever the query editor saved, e.g. ``{"refId": "A", "expr": "up"}``) are in
    :attr:`model`; the request's shared settings are the other attributes.
    """

    #: The query's id within the request (``A``, ``B``...): the key of its answer.
    ref_id: str
    #: The time range to answer for.
    time_range: TimeRange
    #: The ``queryType`` the client set (routes the query in a :class:`QueryTypeMux`); ``""`` when none.
    query_type: str = ""
    #: How many points the panel can show (its width in pixels); 0 when unknown. Downsample to at most this.
    max_data_points: int = 0
    #: The suggested spacing of points (Grafana's ``intervalMs``); zero when unknown.
    interval: timedelta = timedelta(0)
    #: The query object as the JSON bytes sent; read :attr:`model` instead.
    json: bytes = b"{}"

    @cached_property
    def model(self) -> dict[str, Any]:
        """The whole query object the client sent, parsed from ``json`` (empty when not an object)."""
        return _parse_json_object(self.json)


@dataclass(frozen=True)
class QueryDataRequest:
    """A QueryData call: several queries for one data source."""

    plugin_context: PluginContext
    queries: list[DataQuery]
    headers: Mapping[str, str] = field(default_factory=dict)
    format: FrameFormat = FrameFormat.ARROW

    @property
    def http_headers(self) -> dict[str, str]:
        """The forwarded HTTP headers: ``http_<Name>`` keys unprefixed, plus ``Authorization``, ``X-Id-Token``,
        ``Cookie`` (what Grafana forwards for OAuth pass-through and kept cookies)."""
        return http_headers(self.headers)


@dataclass(frozen=True)
class CheckHealthRequest:
    """A CheckHealth call."""

    plugin_context: PluginContext
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def http_headers(self) -> dict[str, str]:
        """The forwarded HTTP headers: ``http_<Name>`` keys unprefixed, plus ``Authorization``, ``X-Id-Token``,
        ``Cookie`` (what Grafana forwards for OAuth pass-through and kept cookies)."""
        return http_headers(self.headers)


@dataclass(frozen=True)
class CollectMetricsRequest:
    """A CollectMetrics call."""

    plugin_context: PluginContext


@dataclass(frozen=True)
class CallResourceRequest:
    """An HTTP-like resource call; ``path`` has no leading slash, ``url`` adds the query string."""

    plugin_context: PluginContext
    path: str = ""
    method: str = "GET"
    url: str = ""
    headers: Mapping[str, list[str]] = field(default_factory=dict)
    body: bytes = b""


@dataclass(frozen=True)
class StreamRequest:
    """What every stream call carries: the plugin context, the channel path, optional JSON data, headers."""

    plugin_context: PluginContext
    path: str
    data: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def http_headers(self) -> dict[str, str]:
        """The forwarded HTTP headers: ``http_<Name>`` keys unprefixed, plus ``Authorization``, ``X-Id-Token``,
        ``Cookie`` (what Grafana forwards for OAuth pass-through and kept cookies)."""
        return http_headers(self.headers)


@dataclass(frozen=True)
class SubscribeStreamRequest(StreamRequest):
    """A client asks to subscribe to a stream channel path."""


@dataclass(frozen=True)
class PublishStreamRequest(StreamRequest):
    """A client publishes data to a stream channel path."""


@dataclass(frozen=True)
class RunStreamRequest(StreamRequest):
    """The host asks the plugin to run a stream for a channel path."""
