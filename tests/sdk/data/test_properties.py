"""decode(encode(frame)) == frame for Arrow and JSON, on every field type, nullable and not."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from grafana_plugin_sdk.data import Frame, FrameInclude

SETTINGS = settings(max_examples=150, deadline=None)
Strategy = st.SearchStrategy[Frame]


@SETTINGS
@given(st.data())
def test_arrow_round_trip(frame_strategy: Strategy, data: st.DataObject) -> None:
    frame = data.draw(frame_strategy)
    assert Frame.from_arrow(frame.to_arrow()) == frame


@SETTINGS
@given(st.data())
def test_json_round_trip(frame_strategy: Strategy, data: st.DataObject) -> None:
    frame = data.draw(frame_strategy)
    assert Frame.from_json(frame.to_json()) == frame


@SETTINGS
@given(st.data())
def test_json_schema_then_data_round_trip(frame_strategy: Strategy, data: st.DataObject) -> None:
    frame = data.draw(frame_strategy)
    schema = Frame.from_json(frame.to_json(FrameInclude.SCHEMA_ONLY))
    assert schema.rows == 0
    assert Frame.from_json(frame.to_json(FrameInclude.DATA_ONLY), schema=schema) == frame


@SETTINGS
@given(st.data())
def test_arrow_then_json_equals_json(frame_strategy: Strategy, data: st.DataObject) -> None:
    """The host's path (plugin Arrow -> frame JSON) writes what encoding the frame directly writes."""
    frame = data.draw(frame_strategy)
    assert Frame.from_arrow(frame.to_arrow()).to_json() == frame.to_json()
