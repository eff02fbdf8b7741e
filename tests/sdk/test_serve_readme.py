"""The README's plugin example runs as written, as a real plugin subprocess."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from grafana_plugin_sdk.data import Frame
from grafana_plugin_sdk.wire.genproto import backend_pb2 as pb
from grafana_plugin_sdk.wire.genproto import backend_pb2_grpc as pb_grpc

README = Path(__file__).resolve().parents[2] / "README.md"
DataStub: Any = pb_grpc.DataStub
DiagnosticsStub: Any = pb_grpc.DiagnosticsStub


@pytest.fixture
def example(workdir: Path) -> Path:
    """The first python block of the README's "Write a plugin" section, as a program file."""
    section = README.read_text().split("## Write a plugin", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match is not None, "no python block in the README's 'Write a plugin' section"
    path = workdir / "readme_plugin.py"
    path.write_text(match.group(1))
    return path


def test_the_readme_example_serves_health_and_frames(
    example: Path, launch: Callable[..., Any], make_context: Any, make_query: Any
) -> None:
    plugin = launch(example)
    health = DiagnosticsStub(plugin.channel).CheckHealth(pb.CheckHealthRequest(pluginContext=make_context()))
    assert (health.status, health.message) == (pb.CheckHealthResponse.OK, "Data source is working")
    queries = [make_query("A", slope=2), make_query("B", "other")]
    reply = DataStub(plugin.channel).QueryData(pb.QueryDataRequest(pluginContext=make_context(), queries=queries))
    assert set(reply.responses) == {"A", "B"}
    frame = Frame.from_arrow(reply.responses["A"].frames[0])
    assert frame.ref_id == "A" and frame.rows == 10
    assert frame.field("value").to_pylist() == [2.0 * i for i in range(10)]
    assert Frame.from_arrow(reply.responses["B"].frames[0]).field("value").to_pylist()[-1] == 9.0
