"""PluginContext building, the plugin environment, executable names and the restart backoff (no processes)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from grafana_plugin_host.config import load_settings
from grafana_plugin_host.models import DataSource, Identity, OrgRole
from grafana_plugin_host.plugins import (
    PluginMeta,
    ProcessOptions,
    build_plugin_context,
    grafana_config,
    plugin_environment,
)
from grafana_plugin_sdk.backend import UserAgent
from grafana_plugin_sdk.wire import LaunchSpec, PluginStartError
from grafana_plugin_sdk.wire.handshake import host_environment
from grafana_plugin_sdk.wire.platform import GRAFANA_VERSION, go_arch, go_os, user_agent
from grafana_plugin_sdk.wire.process import executable_candidates, find_executable

META = PluginMeta(id="acme", type="datasource", name="Acme", directory=Path("/plugins/acme"), version="1.2.3")


def test_user_agent_is_grafana_format() -> None:
    parsed = UserAgent.parse(user_agent())
    assert parsed == UserAgent(GRAFANA_VERSION, go_os(), go_arch())
    assert go_os() == "linux" and go_arch() in ("amd64", "arm64")


def test_grafana_config() -> None:
    settings = load_settings("[feature_toggles]\nenable = zeta alpha\n[datasources]\nconcurrent_query_count = 4\n", {})
    config = grafana_config(settings)
    assert config["GF_APP_URL"] == "http://127.0.0.1:3000/"
    assert config.concurrent_query_count() == 4
    assert config["GF_INSTANCE_FEATURE_TOGGLES_ENABLE"] == "alpha,zeta"
    assert config["GF_SQL_ROW_LIMIT"] == "1000000"
    assert "GF_INSTANCE_FEATURE_TOGGLES_ENABLE" not in grafana_config(load_settings("", {}))


def test_context_without_identity_or_datasource() -> None:
    ctx = build_plugin_context(META, load_settings("", {}), identity=None)
    assert (ctx.org_id, ctx.plugin_id, ctx.plugin_version, ctx.user) == (0, "acme", "1.2.3", None)
    assert ctx.data_source_instance_settings is None
    assert ctx.user_agent == user_agent()


def test_context_with_datasource() -> None:
    ds = DataSource(id=4, uid="u", org_id=9, name="n", type="acme", json_data={"a": [1]}, updated=datetime(2024, 1, 1))
    ctx = build_plugin_context(META, load_settings("", {}), identity=None, datasource=ds, secrets={"k": "v"})
    settings = ctx.data_source_instance_settings
    assert ctx.org_id == 9 and settings is not None
    assert settings.json_data == {"a": [1]} and settings.decrypted_secure_json_data == {"k": "v"}
    assert settings.updated == datetime(2024, 1, 1, tzinfo=UTC)
    viewer = Identity(org_id=2, org_role=OrgRole.VIEWER, login="v")
    assert build_plugin_context(META, load_settings("", {}), identity=viewer).user is not None
    assert build_plugin_context(META, load_settings("", {}), identity=viewer, datasource=ds).org_id == 2


def test_environment() -> None:
    settings = load_settings("[plugin.acme]\napi_key = ini\ntoken = t\npath = /x\nid = y\n[plugin.other]\nk = v\n", {})
    env = {
        **plugin_environment(META, settings, {"HOME": "/home/h", "GF_PLUGIN_TOKEN": "env", "PLUGIN_MIN_PORT": "1"}),
        **host_environment(),
    }
    assert env["HOME"] == "/home/h"
    assert env["GF_PLUGIN_API_KEY"] == "ini" and env["GF_PLUGIN_TOKEN"] == "env"  # host env overrides
    assert "GF_PLUGIN_PATH" not in env and "GF_PLUGIN_ID" not in env and "GF_PLUGIN_K" not in env
    assert env["grafana_plugin_type"] == "datasource" and env["PLUGIN_PROTOCOL_VERSIONS"] == "2"
    assert (env["PLUGIN_MIN_PORT"], env["PLUGIN_MAX_PORT"]) == ("10000", "25000")
    assert env["GF_VERSION"] == GRAFANA_VERSION and "GF_INSTANCE_FEATURE_TOGGLES_ENABLE" not in env


def test_executable_lookup(tmp_path: Path) -> None:
    meta = LaunchSpec("x", tmp_path, "gpx_x", {})
    platform_name, plain = executable_candidates(tmp_path, "gpx_x")
    assert platform_name == tmp_path / f"gpx_x_{go_os()}_{go_arch()}" and plain == tmp_path / "gpx_x"
    with pytest.raises(PluginStartError, match="has no executable"):
        find_executable(meta)
    plain.write_text("#!/bin/sh\n")
    with pytest.raises(PluginStartError):  # not executable
        find_executable(meta)
    plain.chmod(0o755)
    assert find_executable(meta) == plain
    platform_name.write_text("#!/bin/sh\n")
    platform_name.chmod(0o755)
    assert find_executable(meta) == platform_name


def test_restart_backoff_is_capped_exponential() -> None:
    options = ProcessOptions(restart_delay=1, max_restart_delay=30)
    assert [options.restart_backoff(n) for n in range(1, 9)] == [0, 1, 2, 4, 8, 16, 30, 30]
