"""``grafana_plugin_sdk.live``: channel names as Grafana's Go SDK parses them, and the frame sender."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from grafana_plugin_sdk import live
from grafana_plugin_sdk.data import Field, FieldType, Frame


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("aaa/bbb/ccc/ddd", ("aaa", "bbb", "ccc/ddd")),
        ("ds/my-uid_1/random-walk", ("ds", "my-uid_1", "random-walk")),
        ("plugin/app/a=b.c,d", ("plugin", "app", "a=b.c,d")),
        ("grafana/x^y/path", ("grafana", "x^y", "path")),  # Grafana's [A-z] also admits [ \ ] ^ _ `
    ],
)
def test_valid_channels_round_trip(name: str, parts: tuple[str, str, str]) -> None:
    channel = live.Channel.parse(name)
    assert (channel.scope, channel.namespace, channel.path) == parts
    assert str(channel) == name and channel.is_valid()


@pytest.mark.parametrize(
    "name",
    ["", "aaa/bbb", "aaa//ccc", "/bbb/ccc", "a b/c/d", "ds/uid/pa th", "ds/uid/é", "ds/u:id/x", "ds/uid/" + "x" * 154],
)
def test_invalid_channels_are_refused(name: str) -> None:
    with pytest.raises(live.InvalidChannelError):
        live.Channel.parse(name)


def test_longest_valid_channel() -> None:
    name = "ds/uid/" + "x" * (live.MAX_CHANNEL_LENGTH - 7)
    assert str(live.Channel.parse(name)) == name


def test_partial_channel_formats_like_go() -> None:
    assert str(live.Channel("grafana", "", "")) == "grafana"
    assert not live.Channel("grafana", "", "").is_valid()


class _Recorder:
    """Keeps what a run_stream sender was asked to send."""

    def __init__(self) -> None:
        self.sent: list[tuple[Frame, bool]] = []

    def send_frame(self, frame: Frame, include_schema: bool = True) -> None:
        self.sent.append((frame, include_schema))

    def send_json(self, value: Any) -> None:
        raise AssertionError("not used")

    def send_bytes(self, data: bytes) -> None:
        raise AssertionError("not used")


def _frame(name: str, value: float, unit_field: str = "value") -> Frame:
    return Frame(name, [Field("time", [0], type=FieldType.INT64), Field(unit_field, [value])])


def test_frame_sender_sends_the_schema_first_and_when_it_changes() -> None:
    recorder = _Recorder()
    sender = live.FrameSender(recorder)
    for frame in (_frame("a", 1), _frame("a", 2), _frame("a", 3, "renamed"), _frame("a", 4, "renamed")):
        sender.send_frame(frame)
    assert [include for _, include in recorder.sent] == [True, False, True, False]


def test_initial_data_is_the_schema_only() -> None:
    document = orjson.loads(live.initial_data(_frame("walk", 1.5)))
    assert set(document) == {"schema"}
    assert [f["name"] for f in document["schema"]["fields"]] == ["time", "value"]
