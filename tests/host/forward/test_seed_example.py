"""The data source HTTP API seed's ``/api/ds/query`` example, against the bundled TestData example plugin."""

from __future__ import annotations

import itertools
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "example_plugins"


async def test_seed_csv_metric_values_example(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, start_host: Callable[..., Any]
) -> None:
    from grafana_plugin_host.config import BUNDLED_PLUGINS

    if not (EXAMPLES / "testdata" / "plugin.json").is_file():
        pytest.skip("example_plugins/testdata is not in this checkout yet (the examples helper adds it)")
    assert EXAMPLES == BUNDLED_PLUGINS
    monkeypatch.setenv("GF_PLUGIN_PYTHON", sys.executable)
    async with start_host(tmp_path, EXAMPLES, {"GF_PLUGINS_START": "lazy"}) as host:
        ds = await host.create_datasource("TestData", "python-testdata-datasource")
        query = {
            "refId": "A",
            "scenarioId": "csv_metric_values",
            "datasource": {"uid": ds["uid"]},
            "format": "table",
            "maxDataPoints": 1848,
            "intervalMs": 200,
            "stringInput": "1,20,90,30,5,0",
        }
        before = int(time.time() * 1000)
        response = await host.query([query])
        after = int(time.time() * 1000)
    assert response.status_code == 200, response.text
    [frame] = response.json()["results"]["A"]["frames"]
    assert frame["schema"] == {
        "refId": "A",
        "fields": [
            {"name": "time", "type": "time", "typeInfo": {"frame": "time.Time"}},
            {"name": "A-series", "type": "number", "typeInfo": {"frame": "int64", "nullable": True}},
        ],
    }
    times, values = frame["data"]["values"]
    assert values == [1, 20, 90, 30, 5, 0]
    assert [b - a for a, b in itertools.pairwise(times)] == [60_000] * 5
    assert before - 5 * 60_000 - 1000 <= times[0] and times[-1] <= after
