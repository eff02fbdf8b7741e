"""Tracing settings as Grafana passes them, and nothing imported or recorded while tracing is off."""

from __future__ import annotations

import subprocess
import sys

import pytest

from grafana_plugin_host.config import load_settings
from grafana_plugin_host.tracing import plugin_tracing_env
from grafana_plugin_sdk import tracing
from grafana_plugin_sdk.tracing import TracingConfig, TracingConfigError


def test_config_from_grafanas_plugin_environment() -> None:
    env = {
        "GF_INSTANCE_OTLP_ADDRESS": "127.0.0.1:4317",
        "GF_INSTANCE_OTLP_PROPAGATION": "w3c",
        "GF_INSTANCE_OTLP_SAMPLER_TYPE": "probabilistic",
        "GF_INSTANCE_OTLP_SAMPLER_PARAM": "0.25",
        "GF_PLUGIN_VERSION": "1.2.3",
    }
    config = TracingConfig.from_env(env, "my-plugin")
    assert config == TracingConfig("127.0.0.1:4317", "w3c", "probabilistic", 0.25, "my-plugin", "1.2.3")
    with pytest.raises(TracingConfigError, match="not a number"):
        TracingConfig.from_env({"GF_INSTANCE_OTLP_SAMPLER_PARAM": "half"}, "p")


def test_bad_sampler_or_propagation_leaves_tracing_off(caplog: pytest.LogCaptureFixture) -> None:
    for env in (
        {"GF_INSTANCE_OTLP_ADDRESS": "127.0.0.1:1", "GF_INSTANCE_OTLP_SAMPLER_TYPE": "sometimes"},
        {"GF_INSTANCE_OTLP_ADDRESS": "127.0.0.1:1", "GF_INSTANCE_OTLP_SAMPLER_PARAM": "0.5"},
        {"GF_INSTANCE_OTLP_ADDRESS": "127.0.0.1:1", "GF_INSTANCE_OTLP_PROPAGATION": "b3"},
    ):
        assert tracing.setup_from_env("p", env) is False
        assert not tracing.enabled()
    assert [r.message.split(":")[0] for r in caplog.records] == ["tracing is off"] * 3


def test_the_host_passes_its_tracing_settings_to_plugins() -> None:
    ini = "[tracing.opentelemetry.otlp]\naddress = 127.0.0.1:4317\n[tracing.opentelemetry]\nsampler_type = const\n"
    env = plugin_tracing_env(load_settings(ini, {}), "0.4.0")
    assert env == {
        "GF_INSTANCE_OTLP_ADDRESS": "127.0.0.1:4317",
        "GF_INSTANCE_OTLP_PROPAGATION": "",
        "GF_INSTANCE_OTLP_SAMPLER_TYPE": "const",
        "GF_INSTANCE_OTLP_SAMPLER_PARAM": "1",
        "GF_PLUGIN_VERSION": "0.4.0",
    }
    assert plugin_tracing_env(load_settings("", {}), "0.4.0") == {}


def test_off_imports_no_opentelemetry() -> None:
    code = """
import sys
from grafana_plugin_sdk import tracing
from grafana_plugin_sdk.httpclient import new_client
from grafana_plugin_sdk.testing import data_source_settings, in_process
class H:
    def check_health(self, request):
        from grafana_plugin_sdk.backend import CheckHealthResult
        return CheckHealthResult.ok()
assert tracing.setup_from_env("p", {}) is False
with new_client(data_source_settings(url="http://127.0.0.1:9")):
    pass
with in_process(H()) as plugin:
    plugin.check_health()
print(sorted(m for m in sys.modules if m.startswith("opentelemetry")))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"
