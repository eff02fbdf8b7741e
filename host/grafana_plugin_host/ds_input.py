"""Data source request bodies: decoding as Grafana's Go binding does, and its validation rules (pure)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from grafana_plugin_host.errors import ApiError
from grafana_plugin_host.store import DataSourceSpec
from grafana_plugin_host.web import grafana_error

BAD_REQUEST = "bad request data"

#: Types whose URL must not be blank (Grafana's validation list).
URL_REQUIRED_TYPES = frozenset(
    {
        "graphite",
        "influxdb",
        "influxdb_08",
        "elasticsearch",
        "prometheus",
        "alertmanager",
        "jaeger",
        "loki",
        "opentsdb",
        "tempo",
        "zipkin",
        "mysql",
        "postgres",
        "mssql",
    }
)

_UID = re.compile(r"[a-zA-Z0-9_-]*")
_HAS_SCHEME = re.compile(r"^[^:]*://")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_BAD_ESCAPE = re.compile(r"%(?![0-9a-fA-F]{2})")
_HOST = re.compile(r"[A-Za-z0-9.\-_~!$&'()*+,;=%\[\]:]*")
_STR_FIELDS = ("name", "type", "access", "url", "user", "database", "basicAuthUser", "uid", "apiVersion")
_BOOL_FIELDS = ("basicAuth", "withCredentials", "isDefault")
#: Column widths (characters) not covered by Grafana's own named checks.
_MAX_LEN = {"type": 255, "access": 255, "user": 255, "database": 255, "basicAuthUser": 255, "apiVersion": 20}
_INT64 = 1 << 63


@dataclass(frozen=True)
class DataSourceBody:
    """A decoded create/update body: the fields to store and the optimistic-lock version (0: none)."""

    spec: DataSourceSpec
    version: int


def _lookup(data: Mapping[str, Any], key: str) -> Any:
    """Go's JSON field matching: the exact key, else a case-insensitive match."""
    if key in data:
        return data[key]
    lowered = key.lower()
    for name, value in data.items():
        if name.lower() == lowered:
            return value
    return None


def _string(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or "\x00" in value:
        raise ApiError(400, BAD_REQUEST)
    return value


def _boolean(value: Any) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ApiError(400, BAD_REQUEST)
    return value


def decode_body(data: Any) -> DataSourceBody:
    """Decode a create/update body; wrong types or a missing name/type/access give 400 ``bad request data``."""
    if not isinstance(data, dict):
        raise ApiError(400, BAD_REQUEST)
    text = {key: _string(_lookup(data, key)) for key in _STR_FIELDS}
    flags = {key: _boolean(_lookup(data, key)) for key in _BOOL_FIELDS}
    json_data = _lookup(data, "jsonData")
    if json_data is None:
        json_data = {}
    if not isinstance(json_data, dict):
        raise ApiError(400, BAD_REQUEST)
    secure = _lookup(data, "secureJsonData") or {}
    if not isinstance(secure, dict):
        raise ApiError(400, BAD_REQUEST)
    secure = {key: _string(value) for key, value in secure.items()}
    version = _lookup(data, "version")
    if version is None:
        version = 0
    if isinstance(version, bool) or not isinstance(version, int) or not -_INT64 < version < _INT64 - 1:
        raise ApiError(400, BAD_REQUEST)
    if not (text["name"] and text["type"] and text["access"]):
        raise ApiError(400, BAD_REQUEST)
    for key, limit in _MAX_LEN.items():
        if len(text[key]) > limit:
            raise ApiError(400, BAD_REQUEST)
    spec = DataSourceSpec(
        name=text["name"],
        type=text["type"],
        access=text["access"],
        url=text["url"],
        user=text["user"],
        database=text["database"],
        basic_auth=flags["basicAuth"],
        basic_auth_user=text["basicAuthUser"],
        with_credentials=flags["withCredentials"],
        is_default=flags["isDefault"],
        json_data=json_data,
        secure_json_data=secure,
        uid=text["uid"],
        api_version=text["apiVersion"],
    )
    return DataSourceBody(spec, version)


def url_problem(ds_type: str, url: str) -> str | None:
    """Why Grafana's URL validation would refuse ``url`` for a data source of ``ds_type`` (None if it is fine)."""
    if not url.strip():
        return "empty URL string" if ds_type in URL_REQUIRED_TYPES else None
    full = url if _HAS_SCHEME.match(url) else "http://" + url
    if _CONTROL.search(full):
        return "invalid control character in URL"
    if _BAD_ESCAPE.search(full):
        return "invalid URL escape"
    try:
        parts = urlsplit(full)
        _ = parts.port
    except ValueError as exc:
        return str(exc)
    host = parts.netloc.rpartition("@")[2]
    if not _HOST.fullmatch(host):
        return "invalid character in host name"
    return None


def validate_url(ds_type: str, url: str) -> None:
    """Raise 400 ``Validation error, invalid URL`` when :func:`url_problem` finds one."""
    if url_problem(ds_type, url) is not None:
        raise ApiError(400, "Validation error, invalid URL")


def uid_problem(uid: str) -> str | None:
    """Why a data source uid is invalid: longer than 40 characters or outside ``[a-zA-Z0-9_-]``."""
    if len(uid) > 40:
        return "UID is longer than 40 symbols"
    if not _UID.fullmatch(uid):
        return "invalid format of UID. Only letters, numbers, '-' and '_' are allowed"
    return None


def check_spec(spec: DataSourceSpec) -> None:
    """Grafana's service-level checks: name ≤ 190, url ≤ 255, a valid uid (400 errutil errors)."""
    if len(spec.name) > 190:
        raise grafana_error(400, "datasource.nameInvalid", "Invalid datasource name.")
    if len(spec.url) > 255:
        raise grafana_error(400, "datasource.urlInvalid", "Invalid datasource url.")
    if spec.uid and uid_problem(spec.uid) is not None:
        raise grafana_error(400, "datasource.uidInvalid", "Invalid datasource UID.")
