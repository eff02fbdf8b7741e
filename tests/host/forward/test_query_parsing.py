"""``/api/ds/query`` body parsing: defaults, data source references, time range, errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
import pytest

from grafana_plugin_host.api.query import DataSourceRef, Group, check_consistency_headers, datasource_ref, parse_queries
from grafana_plugin_host.errors import ApiError
from grafana_plugin_host.models import DataSource

NOW = datetime(2024, 3, 14, 15, 9, 26, tzinfo=UTC)


def test_seed_example_query() -> None:
    query = {
        "refId": "A",
        "scenarioId": "csv_metric_values",
        "datasource": {"uid": "PD8C576611E62080A"},
        "format": "table",
        "maxDataPoints": 1848,
        "intervalMs": 200,
        "stringInput": "1,20,90,30,5,0",
    }
    [(ref, parsed)] = parse_queries({"queries": [query], "from": "now-5m", "to": "now"}, NOW)
    assert ref == DataSourceRef(uid="PD8C576611E62080A")
    assert parsed.ref_id == "A"
    assert parsed.max_data_points == 1848
    assert parsed.interval == timedelta(milliseconds=200)
    assert parsed.time_range.from_ == NOW - timedelta(minutes=5)
    assert parsed.time_range.to == NOW
    assert orjson.loads(parsed.json) == query  # the whole object goes to the plugin


def test_defaults() -> None:
    [(_, parsed)] = parse_queries({"queries": [{"datasource": {"uid": "x"}}], "from": "0", "to": "1000"})
    assert (parsed.ref_id, parsed.max_data_points, parsed.interval) == ("A", 100, timedelta(seconds=1))
    assert parsed.query_type == ""
    assert parsed.time_range.to == datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC)


def test_numeric_from_to_and_missing_range() -> None:
    [(_, parsed)] = parse_queries({"queries": [{"datasourceId": 3}], "from": 1000, "to": 2000})
    assert parsed.time_range.from_ == datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC)
    [(_, parsed)] = parse_queries({"queries": [{"datasourceId": 3}]})
    assert parsed.time_range.from_ == parsed.time_range.to == datetime(1970, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("query", "ref"),
    [
        ({"datasource": {"uid": "abc", "type": "t"}}, DataSourceRef(uid="abc")),
        ({"datasource": "My DS"}, DataSourceRef(uid="My DS", legacy_name="My DS")),
        ({"datasourceId": 86}, DataSourceRef(id=86)),
        ({"datasource": {"uid": "abc"}, "datasourceId": 86}, DataSourceRef(uid="abc")),
    ],
)
def test_datasource_references(query: dict[str, object], ref: DataSourceRef) -> None:
    assert datasource_ref(query) == ref


@pytest.mark.parametrize("query", [{}, {"datasource": {}}, {"datasourceId": 0}, {"datasource": 5}])
def test_missing_datasource_identifier(query: dict[str, object]) -> None:
    with pytest.raises(ApiError) as caught:
        datasource_ref(query)
    assert caught.value.status == 400
    assert caught.value.body()["messageId"] == "query.invalidDatasourceId"


def test_expressions_are_refused_clearly() -> None:
    with pytest.raises(ApiError, match="expressions"):
        datasource_ref({"datasource": {"uid": "__expr__"}})


@pytest.mark.parametrize("body", [{}, {"queries": []}, {"queries": "x"}])
def test_no_queries(body: dict[str, object]) -> None:
    with pytest.raises(ApiError) as caught:
        parse_queries(body)
    assert (caught.value.status, caught.value.message) == (400, "No queries found")


def test_bad_time_is_a_400_naming_the_value() -> None:
    with pytest.raises(ApiError) as caught:
        parse_queries({"queries": [{"datasourceId": 1}], "from": "yesterday", "to": "now"})
    assert caught.value.status == 400
    assert "'yesterday'" in caught.value.message


def test_body_must_be_an_object_of_object_queries() -> None:
    bodies: list[object] = [[], {"queries": [1]}]
    for body in bodies:
        with pytest.raises(ApiError, match="bad request data"):
            parse_queries(body)


def _group(uid: str, type_: str) -> Group:
    return Group(DataSource(id=1, uid=uid, org_id=1, name=uid, type=type_))


def test_consistency_headers() -> None:
    groups = [_group("a", "p1"), _group("b", "p2")]
    check_consistency_headers({}, groups)
    check_consistency_headers({"x-datasource-uid": "b, a", "x-plugin-id": "p1,p2"}, groups)
    for headers in ({"x-datasource-uid": "a"}, {"x-plugin-id": "p1,p3"}):
        with pytest.raises(ApiError) as caught:
            check_consistency_headers(headers, groups)
        assert caught.value.body()["messageId"] == "query.headerMismatch"


def test_response_status_400_or_multi_status_toggle() -> None:
    from grafana_plugin_host.api.query import response_status
    from grafana_plugin_host.config import load_settings
    from grafana_plugin_sdk.backend import DataResponse, QueryDataResponse

    ok = QueryDataResponse({"A": DataResponse()})
    failed = QueryDataResponse({"A": DataResponse(), "B": DataResponse.error_response("x")})
    plain = load_settings("", {})
    multi = load_settings("", {"GF_FEATURE_TOGGLES_ENABLE": "datasourceQueryMultiStatus"})
    assert [response_status(ok, plain), response_status(failed, plain)] == [200, 400]
    assert [response_status(ok, multi), response_status(failed, multi)] == [200, 207]
