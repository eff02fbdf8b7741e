"""The centrifuge JSON protocol codec of ``grafana_plugin_host.live.protocol``."""

from __future__ import annotations

import orjson
import pytest

from grafana_plugin_host.live import protocol


def test_frames_hold_newline_separated_commands() -> None:
    commands = protocol.parse_frame('{"id":1,"connect":{"name":"js"}}\n\n{}\n{"id":2,"subscribe":{"channel":"c"}}')
    assert commands == [
        protocol.Command(1, "connect", {"name": "js"}),
        protocol.Command(0, None, {}),
        protocol.Command(2, "subscribe", {"channel": "c"}),
    ]
    assert protocol.parse_frame('{"id":3,"unsubscribe":null}') == [protocol.Command(3, "unsubscribe", {})]


@pytest.mark.parametrize(
    "text", ["nope", "[]", '{"id":-1,"connect":{}}', '{"id":true,"connect":{}}', '{"id":1,"subscribe":[1]}', '"x"']
)
def test_malformed_frames_are_protocol_errors(text: str) -> None:
    with pytest.raises(protocol.ProtocolError):
        protocol.parse_frame(text)


def test_replies_and_pushes_are_json() -> None:
    frame = b'{"schema":{"fields":[]},"data":{"values":[]}}'
    push = protocol.publication('1/ds/u/p"q', protocol.json_text(frame))
    assert orjson.loads(push) == {"push": {"channel": '1/ds/u/p"q', "pub": {"data": orjson.loads(frame)}}}
    assert orjson.loads(protocol.reply_raw(4, "subscribe", {"data": '{"a":1}'})) == {
        "id": 4,
        "subscribe": {"data": {"a": 1}},
    }
    assert orjson.loads(protocol.reply_raw(4, "subscribe", {})) == {"id": 4, "subscribe": {}}
    assert orjson.loads(protocol.error(5, 404, "Not Found", temporary=True)) == {
        "id": 5,
        "error": {"code": 404, "message": "Not Found", "temporary": True},
    }
    with pytest.raises(ValueError):
        protocol.json_text(b"{broken")
