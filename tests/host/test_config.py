"""Configuration: defaults, ini file, GF_ environment overrides, clear errors."""

from __future__ import annotations

import pytest

from grafana_plugin_host.config import env_name, load_settings, load_settings_file
from grafana_plugin_host.errors import ConfigError


def test_defaults() -> None:
    s = load_settings("", {})
    assert (s.http_addr, s.http_port) == ("127.0.0.1", 3000)
    assert s.sqlalchemy_url == "sqlite:///data/grafana.db"
    assert (s.admin_user, s.admin_password) == ("admin", "admin")
    assert s.plugins_path.endswith("example_plugins")
    assert not s.anonymous_enabled


def test_ini_then_env_override() -> None:
    ini = "[server]\nhttp_port = 4000\n[auth.anonymous]\nenabled = true\norg_role = editor\n"
    s = load_settings(ini, {"GF_SERVER_HTTP_PORT": "5000"})
    assert s.http_port == 5000
    assert s.anonymous_enabled and s.anonymous_org_role == "Editor"


def test_plugin_sections_and_lists() -> None:
    ini = "[plugin.my-ds]\napi_url = http://x\n[plugins]\nallow_loading_unsigned_plugins = a, b c\n"
    s = load_settings(ini, {})
    assert s.plugin_settings == {"my-ds": {"api_url": "http://x"}}
    assert s.allow_unsigned_plugins == ("a", "b", "c")


def test_env_name_follows_grafana() -> None:
    assert env_name("auth.anonymous", "enabled") == "GF_AUTH_ANONYMOUS_ENABLED"
    assert env_name("security", "secret_key") == "GF_SECURITY_SECRET_KEY"


def test_postgres_urls() -> None:
    s = load_settings("[database]\ntype = postgres\nurl = postgres://u:p@h:5432/db\n", {})
    assert s.sqlalchemy_url == "postgresql+psycopg://u:p@h:5432/db"
    with pytest.raises(ConfigError, match="url is empty"):
        _ = load_settings("[database]\ntype = postgres\n", {}).sqlalchemy_url


@pytest.mark.parametrize(
    ("ini", "env", "message"),
    [
        ("[server]\nhttp_port = abc\n", {}, r"\[server\] http_port: expected a whole number"),
        ("", {"GF_SERVER_HTTP_PORT": "70000"}, "GF_SERVER_HTTP_PORT: expected a port"),
        ("[database]\ntype = mysql\n", {}, "expected one of sqlite3, postgres"),
        ("[auth.anonymous]\nenabled = maybe\n", {}, "expected true or false"),
        ("not an ini", {}, "cannot read the configuration file"),
    ],
)
def test_bad_values_are_named(ini: str, env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(ini, env)


def test_missing_file(tmp_path: object) -> None:
    with pytest.raises(ConfigError, match="cannot read the configuration file"):
        load_settings_file("/nonexistent/grafana.ini", {})
