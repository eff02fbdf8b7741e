"""Options read from data source settings with the Go SDK's keys, defaults and precedence."""

from __future__ import annotations

from typing import Any

from grafana_plugin_sdk.backend import GrafanaConfig
from grafana_plugin_sdk.httpclient import BasicAuthOptions, TimeoutOptions, TLSOptions, options_from_settings
from grafana_plugin_sdk.testing import data_source_settings


def _options(json_data: dict[str, Any], secure: dict[str, str] | None = None, **kw: Any) -> Any:
    return options_from_settings(data_source_settings(json_data=json_data, secure_json_data=secure, **kw))


def test_defaults_and_labels() -> None:
    opts = options_from_settings(data_source_settings(uid="u1", name="My API", type="my-ds", url="http://x:1/api"))
    assert opts.timeouts == TimeoutOptions()
    assert (opts.timeouts.timeout, opts.timeouts.dial_timeout, opts.timeouts.idle_conn_timeout) == (30, 10, 90)
    assert opts.basic_auth is None and opts.tls is None and dict(opts.headers) == {}
    assert dict(opts.labels) == {"datasource_name": "My API", "datasource_uid": "u1", "datasource_type": "my-ds"}
    assert opts.base_url == "http://x:1/api" and opts.forward_http_headers is False


def test_timeouts_are_whole_seconds_and_a_wrong_type_is_zero() -> None:
    t = _options({"timeout": 2.9, "dialTimeout": 3, "httpKeepAlive": "7", "httpMaxIdleConns": 5}).timeouts
    assert (t.timeout, t.dial_timeout, t.keep_alive, t.max_idle_conns) == (2, 3, 0, 5)
    assert t.tls_handshake_timeout == 10 and t.max_idle_conns_per_host == 100


def test_basic_auth_precedence() -> None:
    secure = {"basicAuthPassword": "bap", "password": "legacy"}
    from_json = _options({"basicAuth": True, "basicAuthUser": "ju"}, secure)
    assert from_json.basic_auth == BasicAuthOptions("ju", "bap")
    from_settings = _options({"basicAuth": True, "basicAuthUser": "ju"}, secure, basic_auth_user="su")
    assert from_settings.basic_auth == BasicAuthOptions("su", "bap")
    legacy = _options({}, secure, user="lu")
    assert legacy.basic_auth == BasicAuthOptions("lu", "legacy")
    assert _options({"basicAuth": "yes", "basicAuthUser": "ju"}, secure).basic_auth is None
    assert "bap" not in repr(from_json)


def test_tls_only_with_a_flag_and_certificates_only_with_tls_auth_or_ca() -> None:
    secure = {"tlsCACert": "CA", "tlsClientCert": "CERT", "tlsClientKey": "KEY"}
    assert _options({"serverName": "s"}, secure).tls is None
    skip_only = _options({"tlsSkipVerify": True, "serverName": "s"}, secure).tls
    assert skip_only == TLSOptions(insecure_skip_verify=True)
    with_ca = _options({"tlsAuthWithCACert": True, "serverName": "s"}, secure).tls
    assert with_ca == TLSOptions("CA", "CERT", "KEY", False, "s")
    client = _options({"tlsAuth": True}, {"tlsClientCert": "CERT", "tlsClientKey": "KEY"}).tls
    assert client == TLSOptions("", "CERT", "KEY")


def test_tls13_is_forced_by_the_feature_toggle() -> None:
    config = GrafanaConfig(GF_INSTANCE_FEATURE_TOGGLES_ENABLE="a,pluginsForceTls13")
    opts = options_from_settings(data_source_settings(), config)
    assert opts.tls == TLSOptions(min_version="1.3", max_version="1.3")


def test_custom_headers_stop_at_the_first_missing_name() -> None:
    json_data = {"httpHeaderName1": "X-One", "httpHeaderName2": "X-Two", "httpHeaderName4": "X-Four"}
    secure = {"httpHeaderValue1": "1", "httpHeaderValue4": "4"}
    assert dict(_options(json_data, secure).headers) == {"X-One": "1"}


def test_forwarding_follows_oauth_pass_through_and_kept_cookies() -> None:
    assert _options({"oauthPassThru": True}).forward_http_headers is True
    assert _options({"keepCookies": ["session"]}).forward_http_headers is True
    assert _options({"keepCookies": []}).forward_http_headers is False
    assert _options({"oauthPassThru": "true"}).forward_http_headers is False
