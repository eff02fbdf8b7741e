"""grafana_plugin_sdk.log: hclog JSON lines as Grafana's plugin log reader expects them."""

from __future__ import annotations

import asyncio
import io
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import orjson
import pytest

from grafana_plugin_sdk import log

# Grafana drops the JSON reading of a line whose @timestamp is not exactly this (Go's 2006-01-02T15:04:05.000000Z07:00).
HCLOG_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)$")


@pytest.fixture
def lines() -> Iterator[Any]:
    """Logging set up as serve() does, into a buffer; yields a function returning the parsed lines."""
    stream = io.StringIO()
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    log.setup(stream=stream)
    yield lambda: [orjson.loads(line) for line in stream.getvalue().splitlines()]
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2024, 5, 6, 7, 8, 9, 12, tzinfo=UTC), "2024-05-06T07:08:09.000012Z"),
        (
            datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone(timedelta(hours=5, minutes=30))),
            "2024-05-06T07:08:09.000000+05:30",
        ),
        (
            datetime(2024, 5, 6, 7, 8, 9, 999999, tzinfo=timezone(timedelta(hours=-3))),
            "2024-05-06T07:08:09.999999-03:00",
        ),
    ],
)
def test_timestamps_have_six_fractional_digits_and_a_zone(moment: datetime, expected: str) -> None:
    assert log.format_timestamp(moment) == expected
    assert HCLOG_TIMESTAMP.match(expected)


def test_every_level_maps_to_an_hclog_level(lines: Any) -> None:
    logger = log.get_logger("my-plugin")
    logger.trace("dropped: serve() logs from debug up, as the Go SDK")
    logging.getLogger().setLevel(log.TRACE)
    logger.trace("t")
    logger.debug("d")
    logger.info("i")
    logger.warn("w")
    logger.error("e")
    logging.getLogger("stdlib").critical("c")
    got = lines()
    assert [(line["@level"], line["@message"]) for line in got] == [
        ("trace", "t"),
        ("debug", "d"),
        ("info", "i"),
        ("warn", "w"),
        ("error", "e"),
        ("error", "c"),
    ]
    assert all(HCLOG_TIMESTAMP.match(line["@timestamp"]) for line in got)
    assert got[0]["@module"] == "my-plugin" and got[-1]["@module"] == "stdlib"


def test_fields_are_flat_keys_from_every_source(lines: Any) -> None:
    logger = log.get_logger("p", component="db").with_fields(attempt=2)
    with log.log_context(pluginId="my-ds", endpoint="queryData"):
        logger.info("query done", rows=10, took=timedelta(seconds=1))
        logging.getLogger("stdlib").warning("plain %s", "logging", extra={"refId": "A"})
    logger.info("outside")
    first, second, third = lines()
    assert first == {
        "@level": "info",
        "@message": "query done",
        "@timestamp": first["@timestamp"],
        "@module": "p",
        "pluginId": "my-ds",
        "endpoint": "queryData",
        "component": "db",
        "attempt": 2,
        "rows": 10,
        "took": "0:00:01",
    }
    assert (second["@message"], second["refId"], second["endpoint"]) == ("plain logging", "A", "queryData")
    assert "endpoint" not in third


def test_exceptions_are_logged_in_error(lines: Any) -> None:
    try:
        raise ValueError("broken")
    except ValueError:
        log.get_logger().exception("it failed", refId="B")
    (line,) = lines()
    assert line["@level"] == "error" and line["refId"] == "B"
    assert "ValueError: broken" in line["error"] and "Traceback" in line["error"]


async def test_context_fields_stay_with_their_task(lines: Any) -> None:
    async def call(endpoint: str) -> None:
        with log.log_context(endpoint=endpoint):
            await asyncio.sleep(0.01)
            log.get_logger().info(endpoint)

    await asyncio.gather(call("queryData"), call("checkHealth"))
    assert {line["@message"]: line["endpoint"] for line in lines()} == {
        "queryData": "queryData",
        "checkHealth": "checkHealth",
    }


def test_setup_is_idempotent(lines: Any) -> None:
    log.setup(stream=io.StringIO())
    assert sum(isinstance(h, log.HclogHandler) for h in logging.getLogger().handlers) == 1
