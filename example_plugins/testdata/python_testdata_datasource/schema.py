"""The TestData data source's query editor: a scenario select, each scenario's parameters, a streaming scenario."""

from __future__ import annotations

from dataclasses import dataclass

from grafana_plugin_sdk import editors

from .scenarios import SCENARIOS

LIVE = "live"
"""The streaming scenario: the frontend subscribes to ``random-walk/<interval>`` instead of querying."""

_WALKS = ("random_walk", LIVE)


@dataclass(frozen=True)
class TestDataQuery:
    """A scenario and its parameters (each shown only for the scenarios that read it)."""

    scenario_id: str = editors.select(
        "Scenario",
        key="scenarioId",
        options=[editors.Option(s.id, s.name, s.description) for s in SCENARIOS.values()]
        + [editors.Option(LIVE, "Live random walk", "A point every interval, streamed over Grafana Live")],
        default="random_walk",
        required=True,
    )
    series_count: int = editors.number("Series", key="seriesCount", default=1, show_when={"scenarioId": "random_walk"})
    start_value: float | None = editors.number("Start value", key="startValue", show_when={"scenarioId": _WALKS})
    min: float | None = editors.number("Min", show_when={"scenarioId": "random_walk"})
    max: float | None = editors.number("Max", show_when={"scenarioId": "random_walk"})
    spread: float = editors.number("Spread", default=1, show_when={"scenarioId": "random_walk"})
    noise: float = editors.number("Noise", default=0, show_when={"scenarioId": "random_walk"})
    seed: int | None = editors.number("Seed", description="Repeatable values", show_when={"scenarioId": _WALKS})
    labels: str = editors.text("Labels", placeholder='host="a", region=eu', show_when={"scenarioId": "random_walk"})
    interval: int = editors.number("Interval (ms)", default=500, show_when={"scenarioId": LIVE})
    string_input: str = editors.text(
        "String input",
        key="stringInput",
        description="csv_metric_values: values like 1,20,90; slow_query: a delay like 5s",
        show_when={"scenarioId": ("csv_metric_values", "slow_query")},
    )
    csv_content: str = editors.code(
        "CSV", key="csvContent", language="csv", show_when={"scenarioId": "csv_content"}, required=True
    )
    rows: int = editors.number("Rows", default=1_000_000, show_when={"scenarioId": "large_frame"})
    alias: str = editors.text("Alias", show_when={"scenarioId": ("random_walk", "csv_metric_values")})


QUERY = editors.QuerySchema(
    TestDataQuery, streaming=editors.Streaming("random-walk/{interval}", when={"scenarioId": (LIVE,)})
)
