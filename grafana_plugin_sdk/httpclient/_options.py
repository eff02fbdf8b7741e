"""Client options, read from a data source's settings with the keys and defaults the Go SDK uses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from grafana_plugin_sdk.backend import DataSourceInstanceSettings, GrafanaConfig

#: Feature toggle that pins outgoing TLS to version 1.3.
FORCE_TLS13_TOGGLE = "pluginsForceTls13"


@dataclass(frozen=True)
class TimeoutOptions:
    """Timeouts (seconds) and connection pool sizes; defaults are the Go SDK's."""

    timeout: float = 30.0
    dial_timeout: float = 10.0
    keep_alive: float = 30.0
    tls_handshake_timeout: float = 10.0
    expect_continue_timeout: float = 1.0
    max_conns_per_host: int = 0
    max_idle_conns: int = 100
    max_idle_conns_per_host: int = 100
    idle_conn_timeout: float = 90.0


@dataclass(frozen=True)
class BasicAuthOptions:
    """Credentials sent as ``Authorization: Basic`` unless a request sets its own ``Authorization``."""

    user: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class TLSOptions:
    """PEM CA and client certificate/key, verification and SNI; ``min_version``/``max_version`` as ``"1.3"``."""

    ca_certificate: str = field(default="", repr=False)
    client_certificate: str = field(default="", repr=False)
    client_key: str = field(default="", repr=False)
    insecure_skip_verify: bool = False
    server_name: str = ""
    min_version: str = ""
    max_version: str = ""


@dataclass(frozen=True)
class Options:
    """How to build a client. ``labels`` name the data source in metrics and log lines.

    ``forward_http_headers`` sends the caller's forwarded headers (OAuth token, ID token, kept cookies and the other
    ``http_`` headers of the call) on every request; :func:`options_from_settings` turns it on when the data source
    enables ``oauthPassThru`` or ``keepCookies``.
    """

    base_url: str = ""
    timeouts: TimeoutOptions = field(default_factory=TimeoutOptions)
    basic_auth: BasicAuthOptions | None = None
    tls: TLSOptions | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    forward_http_headers: bool = False
    response_limit: int = 0


def _seconds(data: Mapping[str, Any], key: str, default: float) -> float:
    """A whole number of seconds (a JSON number truncated, as Go converts it), or ``default`` when absent."""
    if key not in data:
        return default
    value = data[key]
    return float(int(value)) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def _count(data: Mapping[str, Any], key: str, default: int) -> int:
    if key not in data:
        return default
    value = data[key]
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def _flag(data: Mapping[str, Any], key: str) -> bool:
    return data.get(key) is True


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


def timeouts_from_json(data: Mapping[str, Any]) -> TimeoutOptions:
    """``timeout``, ``dialTimeout``, ``httpKeepAlive``... (seconds); absent keys keep the defaults."""
    d = TimeoutOptions()
    return TimeoutOptions(
        timeout=_seconds(data, "timeout", d.timeout),
        dial_timeout=_seconds(data, "dialTimeout", d.dial_timeout),
        keep_alive=_seconds(data, "httpKeepAlive", d.keep_alive),
        tls_handshake_timeout=_seconds(data, "httpTLSHandshakeTimeout", d.tls_handshake_timeout),
        expect_continue_timeout=_seconds(data, "httpExpectContinueTimeout", d.expect_continue_timeout),
        max_conns_per_host=_count(data, "httpMaxConnsPerHost", d.max_conns_per_host),
        max_idle_conns=_count(data, "httpMaxIdleConns", d.max_idle_conns),
        max_idle_conns_per_host=_count(data, "httpMaxIdleConnsPerHost", d.max_idle_conns_per_host),
        idle_conn_timeout=_seconds(data, "httpIdleConnTimeout", d.idle_conn_timeout),
    )


def _basic_auth(settings: DataSourceInstanceSettings) -> BasicAuthOptions | None:
    """The settings' basic auth flag and user win, then the legacy ``user`` + ``password``, then ``jsonData``."""
    secure = settings.decrypted_secure_json_data
    if settings.basic_auth_enabled:
        return BasicAuthOptions(settings.basic_auth_user, secure.get("basicAuthPassword", ""))
    if settings.user:
        return BasicAuthOptions(settings.user, secure.get("password", ""))
    if _flag(settings.json_data, "basicAuth"):
        return BasicAuthOptions(_text(settings.json_data, "basicAuthUser"), secure.get("basicAuthPassword", ""))
    return None


def _tls(data: Mapping[str, Any], secure: Mapping[str, str], force_tls13: bool) -> TLSOptions | None:
    """TLS options when ``tlsAuth``, ``tlsAuthWithCACert`` or ``tlsSkipVerify`` is set; certificates and server
    name are read only with ``tlsAuth`` or ``tlsAuthWithCACert``."""
    client_auth, with_ca, skip = _flag(data, "tlsAuth"), _flag(data, "tlsAuthWithCACert"), _flag(data, "tlsSkipVerify")
    version = "1.3" if force_tls13 else ""
    if not (client_auth or with_ca or skip):
        return TLSOptions(min_version=version, max_version=version) if force_tls13 else None
    certs = client_auth or with_ca
    return TLSOptions(
        ca_certificate=secure.get("tlsCACert", "") if certs else "",
        client_certificate=secure.get("tlsClientCert", "") if certs else "",
        client_key=secure.get("tlsClientKey", "") if certs else "",
        insecure_skip_verify=skip,
        server_name=_text(data, "serverName") if certs else "",
        min_version=version,
        max_version=version,
    )


def custom_headers(data: Mapping[str, Any], secure: Mapping[str, str]) -> dict[str, str]:
    """``httpHeaderName1``/``httpHeaderValue1`` (secret), 2, 3... until the first missing name."""
    headers: dict[str, str] = {}
    index = 1
    while (name := data.get(f"httpHeaderName{index}")) is not None:
        value = secure.get(f"httpHeaderValue{index}")
        if isinstance(name, str) and name and value is not None:
            headers[name] = value
        index += 1
    return headers


def _keeps_cookies(data: Mapping[str, Any]) -> bool:
    value = data.get("keepCookies")
    return isinstance(value, list) and any(isinstance(item, str) and item for item in value)


def options_from_settings(settings: DataSourceInstanceSettings, grafana_config: GrafanaConfig | None = None) -> Options:
    """Client options from a data source's settings (``HTTPClientOptions`` of the Go SDK)."""
    data = settings.json_data
    secure = settings.decrypted_secure_json_data
    force_tls13 = grafana_config is not None and FORCE_TLS13_TOGGLE in grafana_config.feature_toggles()
    return Options(
        base_url=settings.url,
        timeouts=timeouts_from_json(data),
        basic_auth=_basic_auth(settings),
        tls=_tls(data, secure, force_tls13),
        headers=custom_headers(data, secure),
        labels={"datasource_name": settings.name, "datasource_uid": settings.uid, "datasource_type": settings.type},
        forward_http_headers=_flag(data, "oauthPassThru") or _keeps_cookies(data),
    )
