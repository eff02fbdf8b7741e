"""Plugin output handling: line splitting, hclog JSON parsing, [LEVEL] prefixes, panics, the host records."""

from __future__ import annotations

import asyncio
import logging

import pytest

from grafana_plugin_sdk.wire.plugin_log import (
    LineSplitter,
    LogLine,
    PluginLog,
    StderrClassifier,
    parse_hclog_json,
    pump_lines,
    render,
)

STAMP = "2024-05-06T07:08:09.123456Z"


def test_splitter_joins_chunks_and_strips_line_ends() -> None:
    splitter = LineSplitter(max_line=100)
    assert splitter.feed(b"one\r\ntw") == [b"one"]
    assert splitter.feed(b"o\nthree") == [b"two"]
    assert splitter.flush() == [b"three"]
    assert splitter.flush() == []


def test_splitter_cuts_long_lines_without_waiting_for_the_newline() -> None:
    splitter = LineSplitter(max_line=4)
    assert splitter.feed(b"abcdefghij") == [b"abcd", b"efgh"]
    assert splitter.feed(b"k\nxyz0123\n") == [b"ijk", b"xyz0", b"123"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            f'{{"@level":"info","@message":"hello","@timestamp":"{STAMP}","@module":"plugin","user":"ann"}}',
            LogLine(logging.INFO, "hello", {"@module": "plugin", "user": "ann"}),
        ),
        ('{"@level":"trace","@message":"t"}', LogLine(logging.DEBUG, "t")),
        ('{"@level":"warn","@message":"w","n":3}', LogLine(logging.WARNING, "w", {"n": 3})),
        (
            '{"@level":"error","@message":"e","@timestamp":"2024-05-06T07:08:09.123456+02:00"}',
            LogLine(logging.ERROR, "e"),
        ),
        ('{"@level":"loud","@message":"x"}', LogLine(logging.DEBUG, '{"@level":"loud","@message":"x"}')),
        ('{"@message":"no level"}', LogLine(logging.DEBUG, '{"@message":"no level"}')),
        ('{"@level":"info","@message":"x","@timestamp":"2024-05-06T07:08:09Z"}', None),  # not hclog's format
        ('{"@level":"info"', None),
        ("[1, 2]", None),
        ("plain", None),
    ],
)
def test_parse_hclog_json(line: str, expected: LogLine | None) -> None:
    assert parse_hclog_json(line) == expected


def test_plain_lines_by_prefix_and_panic() -> None:
    classify = StderrClassifier().classify
    assert classify("[INFO] started") == LogLine(logging.INFO, "started")
    assert classify("[WARN]  careful") == LogLine(logging.WARNING, "careful")
    assert classify("[ERROR] bad") == LogLine(logging.ERROR, "bad")
    assert classify("[TRACE] t") == LogLine(logging.DEBUG, "t")
    assert classify("untagged") == LogLine(logging.DEBUG, "untagged")
    assert classify("panic: runtime error") == LogLine(logging.ERROR, "panic: runtime error")
    assert classify("goroutine 1 [running]:") == LogLine(logging.ERROR, "goroutine 1 [running]:")
    assert classify("[INFO] still tagged") == LogLine(logging.INFO, "still tagged")
    python = StderrClassifier().classify
    assert python("Traceback (most recent call last):").level == logging.ERROR
    assert python('  File "x.py", line 1').level == logging.ERROR


def test_render() -> None:
    assert render(LogLine(logging.INFO, "msg")) == "msg"
    line = LogLine(logging.INFO, "msg", {"a": "b", "c": "two words", "n": 1, "e": ""})
    assert render(line) == 'msg a=b c="two words" n=1 e=""'


def test_plugin_log_records(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="plugin.acme")
    log = PluginLog("acme")
    log.stderr_line(f'{{"@level":"warn","@message":"slow query","@timestamp":"{STAMP}","ms":900}}'.encode())
    log.stderr_line(b"\xff not utf-8")
    log.stdout_line(b"late stdout")
    [warn, raw, out] = caplog.records
    assert (warn.name, warn.levelno, warn.getMessage()) == ("plugin.acme", logging.WARNING, "slow query ms=900")
    assert warn.plugin_id == "acme" and warn.plugin_fields == {"ms": 900}  # type: ignore[attr-defined]
    assert raw.levelno == logging.DEBUG and raw.getMessage() == "\ufffd not utf-8"
    assert out.getMessage() == "stdout: late stdout"
    assert log.recent()[-1] == "\ufffd not utf-8"


def test_lines_below_the_level_are_dropped_yet_remembered(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="plugin.acme")
    log = PluginLog("acme")
    debug = f'{{"@level":"debug","@message":"Plugin Request Started","@timestamp":"{STAMP}"}}'
    info = f'{{"@level":"info","@message":"Plugin Request Completed","@timestamp":"{STAMP}","status":"ok"}}'
    log.stderr_line(debug.encode())
    log.stderr_line(info.encode())
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (logging.INFO, "Plugin Request Completed status=ok")
    ]
    assert log.recent() == [debug, info]  # start-failure messages still show every line


async def test_pump_reads_to_the_end_and_survives_handler_errors(caplog: pytest.LogCaptureFixture) -> None:
    reader = asyncio.StreamReader()
    reader.feed_data(b"a\nboom\nb")
    reader.feed_eof()
    seen: list[bytes] = []

    def handle(line: bytes) -> None:
        if line == b"boom":
            raise RuntimeError("handler bug")
        seen.append(line)

    await pump_lines(reader, handle)
    assert seen == [b"a", b"b"]
    assert "cannot handle a plugin output line" in caplog.text
