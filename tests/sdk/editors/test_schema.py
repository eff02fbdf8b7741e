"""Declaring editor fields and parsing settings and queries with them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grafana_plugin_sdk import editors
from grafana_plugin_sdk.backend import (
    DataQuery,
    DataResponse,
    DataSourceInstanceSettings,
    ErrorSource,
    PluginContext,
    QueryDataRequest,
    QueryTypeMux,
    TimeRange,
)


@dataclass(frozen=True)
class Settings:
    path: str = editors.text("Database file", required=True, placeholder="/var/lib/data.db")
    timeout: int = editors.number("Timeout", default=30)
    read_only: bool = editors.boolean("Read only", key="readOnly", default=True)
    api_key: str = editors.secret("API key", key="apiKey", required=True)


@dataclass(frozen=True)
class Query:
    raw_sql: str = editors.code("SQL", key="rawSql", language="sql", required=True)
    format: str = editors.select(
        "Format", options=[("table", "Table"), ("time_series", "Time series")], default="table"
    )
    table: str = editors.select("Table", options_resource=editors.ResourceOptions("tables"))
    limit: float | None = editors.number("Limit")
    notes: str = editors.multiline("Notes", show_when={"format": "time_series"}, required=True)


SETTINGS = editors.SettingsSchema(Settings)
QUERY = editors.QuerySchema(Query, streaming=editors.Streaming("live/{format}", {"format": ("time_series",)}))


def _settings(json_data: dict[str, Any], secure: dict[str, str]) -> DataSourceInstanceSettings:
    return DataSourceInstanceSettings(json_data_raw=orjson.dumps(json_data), decrypted_secure_json_data=secure)


def _query(model: dict[str, Any], ref_id: str = "A") -> DataQuery:
    epoch = datetime(2026, 1, 1, tzinfo=UTC)
    return DataQuery(ref_id, TimeRange(epoch, epoch), json=orjson.dumps({"refId": ref_id, **model}))


def test_settings_parse_plain_from_json_data_and_secrets_from_secure_data() -> None:
    parsed = SETTINGS.parse(_settings({"path": "/x.db", "timeout": 5, "apiKey": "leaked?"}, {"apiKey": "s3cret"}))
    assert parsed == Settings(path="/x.db", timeout=5, read_only=True, api_key="s3cret")


def test_settings_defaults_apply_and_a_secret_in_json_data_does_not_count() -> None:
    with pytest.raises(editors.InvalidSettings) as info:
        SETTINGS.parse(_settings({"path": "", "apiKey": "plain"}, {}))
    assert str(info.value) == "invalid data source settings: path is required; apiKey is required"


def test_settings_wrong_types_are_listed() -> None:
    with pytest.raises(editors.InvalidSettings) as info:
        SETTINGS.parse(_settings({"path": 3, "timeout": 2.5, "readOnly": "yes"}, {"apiKey": "k"}))
    assert str(info.value) == (
        "invalid data source settings: path must be a string, got int; timeout must be a whole number, got 2.5; "
        "readOnly must be true or false, got 'yes'"
    )


def test_query_parse_converts_and_ignores_grafana_keys() -> None:
    model = {"rawSql": "SELECT 1", "limit": "10", "datasource": {"uid": "x"}, "hide": False, "table": "anything"}
    assert QUERY.parse(_query(model)) == Query(raw_sql="SELECT 1", format="table", table="anything", limit=10.0)


@pytest.mark.parametrize(
    ("model", "problem"),
    [
        ({}, "rawSql is required"),
        ({"rawSql": "x", "format": "graph"}, "format must be one of table, time_series, got 'graph'"),
        ({"rawSql": "x", "limit": "many"}, "limit must be a number, got 'many'"),
        ({"rawSql": "x", "limit": "inf"}, "limit must be a finite number, got 'inf'"),
        ({"rawSql": "x", "limit": True}, "limit must be a number, got True"),
        ({"rawSql": "x", "format": "time_series"}, "notes is required"),
        ({"rawSql": ["x"]}, "rawSql must be a string, got list"),
    ],
)
def test_query_problems(model: dict[str, Any], problem: str) -> None:
    with pytest.raises(editors.InvalidQuery) as info:
        QUERY.parse(_query(model, "B"))
    assert str(info.value) == f"invalid query B: {problem}"
    assert info.value.status == 400


def test_hidden_required_field_is_not_required() -> None:
    assert QUERY.parse(_query({"rawSql": "x", "format": "table"})).notes == ""


def test_handler_answers_400_for_the_bad_query_only() -> None:
    seen: list[Query] = []

    def answer(request: QueryDataRequest, query: DataQuery, parsed: Query) -> DataResponse:
        seen.append(parsed)
        return DataResponse()

    mux = QueryTypeMux()
    mux.handle("", QUERY.handler(answer))
    request = QueryDataRequest(PluginContext(), [_query({"rawSql": "SELECT 1"}, "A"), _query({}, "B")])
    response = asyncio.run(mux.query_data(request))
    assert response["A"].error is None
    assert (response["B"].error, response["B"].status, response["B"].error_source) == (
        "invalid query B: rawSql is required",
        400,
        ErrorSource.DOWNSTREAM,
    )
    assert seen == [Query(raw_sql="SELECT 1")]


def test_raising_invalid_query_in_a_mux_function_is_a_400() -> None:
    mux = QueryTypeMux()
    mux.handle("", lambda request, query: DataResponse(frames=[]) if QUERY.parse(query) else DataResponse())
    response = asyncio.run(mux.query_data(QueryDataRequest(PluginContext(), [_query({"format": "x"})])))
    assert response["A"].status == 400
    assert (
        response["A"].error == "invalid query A: rawSql is required; format must be one of table, time_series, got 'x'"
    )


def test_declaration_document() -> None:
    doc = editors.declaration(SETTINGS, QUERY)
    assert doc["version"] == 1
    assert doc["settings"]["fields"] == [
        {"key": "path", "kind": "text", "label": "Database file", "placeholder": "/var/lib/data.db", "required": True},
        {"key": "timeout", "kind": "number", "label": "Timeout", "default": 30},
        {"key": "readOnly", "kind": "boolean", "label": "Read only", "default": True},
        {"key": "apiKey", "kind": "secret", "label": "API key", "required": True, "secure": True},
    ]
    fields = {f["key"]: f for f in doc["query"]["fields"]}
    assert fields["rawSql"] == {"key": "rawSql", "kind": "code", "label": "SQL", "language": "sql", "required": True}
    assert fields["format"]["options"] == [
        {"value": "table", "label": "Table", "description": ""},
        {"value": "time_series", "label": "Time series", "description": ""},
    ]
    assert fields["table"]["optionsResource"] == {"path": "tables", "valueKey": "value", "labelKey": "value"}
    assert fields["notes"]["showWhen"] == {"format": ["time_series"]}
    assert doc["query"]["streaming"] == {"path": "live/{format}", "when": {"format": ["time_series"]}}


def test_declaration_without_schemas_is_empty() -> None:
    assert editors.declaration() == {"version": 1, "settings": {"fields": []}, "query": {"fields": []}}


def test_declaration_mistakes_fail_early() -> None:
    @dataclass
    class Plain:
        x: str = ""

    @dataclass
    class BadShowWhen:
        x: str = editors.text(show_when={"nope": "1"})

    @dataclass
    class Twice:
        a: str = editors.text(key="k")
        b: str = editors.text(key="k")

    with pytest.raises(TypeError, match=r"Plain.x is not an editor field"):
        editors.QuerySchema(Plain)
    with pytest.raises(TypeError, match=r"show_when names undeclared fields \['nope'\]"):
        editors.QuerySchema(BadShowWhen)
    with pytest.raises(TypeError, match="declares a JSON key twice"):
        editors.SettingsSchema(Twice)
    with pytest.raises(TypeError, match=r"streaming.when names undeclared fields \['y'\]"):
        editors.QuerySchema(Query, streaming=editors.Streaming("p", {"y": ("1",)}))
    with pytest.raises(TypeError, match="is not a dataclass"):
        editors.QuerySchema(int)
    with pytest.raises(TypeError, match=r"cannot fetch options from resources .*\['table'\]"):
        editors.SettingsSchema(Query)
    with pytest.raises(TypeError, match=r"cannot hold secrets: \['apiKey'\]"):
        editors.QuerySchema(Settings)
    with pytest.raises(ValueError, match="needs options or options_resource"):
        editors.select("S")


def test_huge_values_are_cut_in_messages() -> None:
    with pytest.raises(editors.InvalidQuery) as info:
        QUERY.parse(_query({"rawSql": "x", "limit": "9" * 100_000 + "x"}))
    assert str(info.value) == f"invalid query A: limit must be a number, got '{'9' * 36}..."


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from(["rawSql", "format", "table", "limit", "notes", "other"]), json_values))
def test_any_json_model_parses_or_is_a_400(model: dict[str, Any]) -> None:
    try:
        parsed = QUERY.parse(_query(model))
    except editors.InvalidQuery as exc:
        assert exc.status == 400 and len(str(exc)) < 400
    else:
        assert isinstance(parsed.raw_sql, str) and parsed.raw_sql
        assert parsed.limit is None or isinstance(parsed.limit, float)
