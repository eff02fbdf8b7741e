"""A DownstreamError is logged as the Go SDK logs a failed request: one ERROR line, no traceback."""

from __future__ import annotations

import logging
from typing import Any

import orjson
import pytest

from grafana_plugin_sdk.backend import DataQuery, DataResponse, DownstreamError, QueryDataRequest, QueryTypeMux
from grafana_plugin_sdk.log import HclogFormatter
from grafana_plugin_sdk.testing import in_process

mux = QueryTypeMux()


@mux.route("bad-input")
def bad_input(request: QueryDataRequest, query: DataQuery) -> DataResponse:
    raise DownstreamError("unknown metric 'cpu2'", 400)


@mux.route("bug")
def bug(request: QueryDataRequest, query: DataQuery) -> DataResponse:
    raise KeyError("oops")


class MuxPlugin:
    query_data = mux.query_data


class RaisingPlugin:
    def query_data(self, request: QueryDataRequest) -> Any:
        raise DownstreamError("the remote API answered 503", 503)


def _lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    formatter = HclogFormatter()
    return [orjson.loads(formatter.format(r)) for r in caplog.records if r.levelno >= logging.WARNING]


def test_mux_logs_downstream_errors_without_traceback_and_bugs_with_one(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="grafana_plugin_sdk"), in_process(MuxPlugin()) as plugin:
        resp = plugin.query({"queryType": "bad-input"}, {"queryType": "bug"})
    assert (resp["A"].status, resp["A"].error) == (400, "unknown metric 'cpu2'")
    assert resp["B"].status == 500
    downstream, bug_line = sorted(_lines(caplog), key=lambda line: line["refId"])
    assert downstream["@level"] == "error" and downstream["@message"] == "query failed"
    assert (downstream["statusSource"], downstream["error"]) == ("downstream", "unknown metric 'cpu2'")
    assert bug_line["@level"] == "error" and bug_line["statusSource"] == "plugin"
    assert "Traceback" in bug_line["error"] and "KeyError: 'oops'" in bug_line["error"]


def test_handler_raising_downstream_error_logs_one_line(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="grafana_plugin_sdk"), in_process(RaisingPlugin()) as plugin:
        resp = plugin.query({})
    assert (resp["A"].status, resp["A"].error) == (503, "the remote API answered 503")
    (line,) = _lines(caplog)
    assert line["@level"] == "error" and line["@message"] == "query_data failed"
    assert (line["statusSource"], line["error"]) == ("downstream", "the remote API answered 503")
