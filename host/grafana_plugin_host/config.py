"""Host configuration: defaults, a Grafana-style ini file and ``GF_<SECTION>_<KEY>`` environment overrides.

Pure: :func:`load_settings` takes the ini text and an environment mapping, so it is tested without files.
"""

from __future__ import annotations

import configparser
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError

#: The example plugins of a source checkout (the default plugins folder when run from one).
BUNDLED_PLUGINS = Path(__file__).resolve().parents[2] / "example_plugins"


def _as_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("true", "1", "yes", "on"):
        return True
    if lowered in ("false", "0", "no", "off", ""):
        return False
    raise ValueError(f"expected true or false, got {text!r}")


def _as_int(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise ValueError(f"expected a whole number, got {text!r}") from None


def _as_port(text: str) -> int:
    port = _as_int(text)
    if not 0 <= port <= 65535:
        raise ValueError(f"expected a port from 0 to 65535, got {port}")
    return port


def _as_list(text: str) -> tuple[str, ...]:
    return tuple(item for item in re.split(r"[\s,]+", text.strip()) if item)


def _one_of(*choices: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = text.strip().lower()
        if value not in choices:
            raise ValueError(f"expected one of {', '.join(choices)}, got {text!r}")
        return value

    return parse


def _as_role(text: str) -> str:
    role = text.strip().capitalize()
    if role not in ("Viewer", "Editor", "Admin"):
        raise ValueError(f"expected Viewer, Editor or Admin, got {text!r}")
    return role


def _as_str(text: str) -> str:
    return text.strip()


# (section, key) -> (attribute, parser, default text). Defaults are strings parsed like user input.
_SCHEMA: dict[tuple[str, str], tuple[str, Callable[[str], Any], str]] = {
    ("server", "http_addr"): ("http_addr", _as_str, "127.0.0.1"),
    ("server", "http_port"): ("http_port", _as_port, "3000"),
    ("server", "root_url"): ("root_url", _as_str, ""),
    ("server", "max_request_body_bytes"): ("max_request_body_bytes", _as_int, str(16 << 20)),
    ("server", "max_request_line_bytes"): ("max_request_line_bytes", _as_int, str(64 << 10)),
    ("server", "max_header_count"): ("max_header_count", _as_int, "100"),
    ("server", "max_header_bytes"): ("max_header_bytes", _as_int, str(1 << 20)),
    ("server", "read_header_timeout"): ("read_header_timeout", _as_int, "30"),
    ("server", "max_json_depth"): ("max_json_depth", _as_int, "100"),
    ("server", "trusted_proxies"): ("trusted_proxies", _as_list, ""),
    ("server", "max_concurrent_large_responses"): ("max_concurrent_large_responses", _as_int, "4"),
    ("server", "large_response_queue_bytes"): ("large_response_queue_bytes", _as_int, str(256 << 20)),
    ("server", "write_stall_timeout"): ("write_stall_timeout", _as_int, "30"),
    ("server", "enable_gzip"): ("enable_gzip", _as_bool, "false"),
    ("paths", "data"): ("data_path", _as_str, "data"),
    ("paths", "plugins"): ("plugins_path", _as_str, str(BUNDLED_PLUGINS)),
    ("paths", "provisioning"): ("provisioning_path", _as_str, "conf/provisioning"),
    ("database", "type"): ("database_type", _one_of("sqlite3", "postgres"), "sqlite3"),
    ("database", "path"): ("database_path", _as_str, "grafana.db"),
    ("database", "url"): ("database_url", _as_str, ""),
    ("security", "admin_user"): ("admin_user", _as_str, "admin"),
    ("security", "admin_password"): ("admin_password", _as_str, "admin"),
    ("security", "secret_key"): ("secret_key", _as_str, ""),
    ("security", "password_hash_concurrency"): ("password_hash_concurrency", _as_int, "1"),
    ("security", "password_hash_queue"): ("password_hash_queue", _as_int, "8"),
    ("metrics", "basic_auth_username"): ("metrics_basic_auth_username", _as_str, ""),
    ("metrics", "basic_auth_password"): ("metrics_basic_auth_password", _as_str, ""),
    ("auth.basic", "enabled"): ("basic_auth_enabled", _as_bool, "true"),
    ("auth.anonymous", "enabled"): ("anonymous_enabled", _as_bool, "false"),
    ("auth.anonymous", "org_role"): ("anonymous_org_role", _as_role, "Viewer"),
    ("plugins", "allow_loading_unsigned_plugins"): ("allow_unsigned_plugins", _as_list, ""),
    ("plugins", "call_timeout"): ("plugin_call_timeout", _as_int, "30"),
    ("plugins", "start"): ("plugin_start", _one_of("eager", "lazy"), "eager"),
    ("datasources", "concurrent_query_count"): ("concurrent_query_count", _as_int, "10"),
    ("datasources", "datasource_limit"): ("datasource_limit", _as_int, "5000"),
    ("query", "concurrent_query_limit"): ("concurrent_query_limit", _as_int, str(os.cpu_count() or 4)),
    ("dataproxy", "timeout"): ("dataproxy_timeout", _as_int, "30"),
    ("dataproxy", "send_user_header"): ("dataproxy_send_user_header", _as_bool, "false"),
    ("feature_toggles", "enable"): ("feature_toggles", _as_list, ""),
    ("log", "level"): ("log_level", _one_of("debug", "info", "warn", "error"), "info"),
    ("tracing.opentelemetry.otlp", "address"): ("tracing_otlp_address", _as_str, ""),
    ("tracing.opentelemetry.otlp", "propagation"): ("tracing_propagation", _as_str, ""),
    ("tracing.opentelemetry", "sampler_type"): ("tracing_sampler_type", _as_str, ""),
    ("tracing.opentelemetry", "sampler_param"): ("tracing_sampler_param", _as_str, "1"),
    ("live", "max_connections"): ("live_max_connections", _as_int, "100"),
    ("live", "allowed_origins"): ("live_allowed_origins", _as_list, ""),
    ("live", "client_queue_max_size"): ("live_client_queue_max_size", _as_int, str(1 << 20)),
    ("live", "ha_engine"): ("live_ha_engine", _one_of("", "redis"), ""),
    ("live", "ha_engine_address"): ("live_ha_engine_address", _as_str, "127.0.0.1:6379"),
    ("live", "ha_engine_password"): ("live_ha_engine_password", _as_str, ""),
}


@dataclass(frozen=True)
class Settings:
    """Every setting the host reads, typed. Build with :func:`load_settings`."""

    http_addr: str
    http_port: int
    root_url: str
    max_request_body_bytes: int
    max_request_line_bytes: int
    max_header_count: int
    max_header_bytes: int
    read_header_timeout: int
    max_json_depth: int
    trusted_proxies: tuple[str, ...]
    max_concurrent_large_responses: int
    large_response_queue_bytes: int
    write_stall_timeout: int
    enable_gzip: bool
    data_path: str
    plugins_path: str
    provisioning_path: str
    database_type: str
    database_path: str
    database_url: str
    admin_user: str
    admin_password: str
    secret_key: str
    password_hash_concurrency: int
    password_hash_queue: int
    metrics_basic_auth_username: str
    metrics_basic_auth_password: str
    basic_auth_enabled: bool
    anonymous_enabled: bool
    anonymous_org_role: str
    allow_unsigned_plugins: tuple[str, ...]
    plugin_start: str
    plugin_call_timeout: int
    concurrent_query_count: int
    datasource_limit: int
    concurrent_query_limit: int
    dataproxy_timeout: int
    dataproxy_send_user_header: bool
    feature_toggles: tuple[str, ...]
    log_level: str
    tracing_otlp_address: str
    tracing_propagation: str
    tracing_sampler_type: str
    tracing_sampler_param: str
    live_max_connections: int
    live_allowed_origins: tuple[str, ...]
    live_client_queue_max_size: int
    live_ha_engine: str
    live_ha_engine_address: str
    live_ha_engine_password: str
    #: ``[plugin.<id>]`` sections: plugin id -> {key: value}, passed to plugins as ``GF_PLUGIN_<KEY>``.
    plugin_settings: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @property
    def data_dir(self) -> Path:
        """The data folder (database, generated secret key)."""
        return Path(self.data_path)

    @property
    def sqlalchemy_url(self) -> str:
        """The database URL for SQLAlchemy: ``[database] url`` or the SQLite file in the data folder."""
        if self.database_url:
            url = self.database_url
            for prefix in ("postgres://", "postgresql://"):
                if url.startswith(prefix):
                    return "postgresql+psycopg://" + url[len(prefix) :]
            return url
        if self.database_type == "postgres":
            raise ConfigError("[database] type is postgres but [database] url is empty")
        path = Path(self.database_path)
        return f"sqlite:///{path if path.is_absolute() else self.data_dir / path}"

    @property
    def app_url(self) -> str:
        """The public URL of the host (``[server] root_url`` or built from address and port)."""
        return self.root_url or f"http://{self.http_addr}:{self.http_port}/"

    def feature_enabled(self, toggle: str) -> bool:
        """Whether ``[feature_toggles] enable`` lists ``toggle``."""
        return toggle in self.feature_toggles


def env_name(section: str, key: str) -> str:
    """Grafana's override variable for a setting: ``GF_<SECTION>_<KEY>``, dots and dashes as underscores."""
    return "GF_" + re.sub(r"[.\-]", "_", f"{section}_{key}").upper()


def load_settings(ini_text: str = "", environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from defaults, then the ini text, then ``GF_*`` variables; raises ConfigError on a bad value."""
    environ = os.environ if environ is None else environ
    parser = configparser.ConfigParser(interpolation=None, default_section="__defaults__")
    try:
        parser.read_string(ini_text)
    except configparser.Error as exc:
        raise ConfigError(f"cannot read the configuration file: {exc}") from None
    values: dict[str, Any] = {}
    for (section, key), (attribute, parse, default) in _SCHEMA.items():
        source, text = "default", default
        if parser.has_option(section, key):
            source, text = f"[{section}] {key}", parser.get(section, key)
        if (name := env_name(section, key)) in environ:
            source, text = name, environ[name]
        try:
            values[attribute] = parse(text)
        except ValueError as exc:
            raise ConfigError(f"invalid value for {source}: {exc}") from None
    plugin_settings = {
        name.removeprefix("plugin."): dict(parser.items(name))
        for name in parser.sections()
        if name.startswith("plugin.")
    }
    return Settings(**values, plugin_settings=plugin_settings)


def load_settings_file(path: str | Path | None, environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from an ini file (``None`` for defaults only); a missing file is a ConfigError."""
    if path is None:
        return load_settings("", environ)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the configuration file {path}: {exc.strerror}") from None
    return load_settings(text, environ)
