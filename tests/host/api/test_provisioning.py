"""Provisioning files: parsing, environment expansion and validation (the start-up path is in test_lifecycle)."""

from __future__ import annotations

from pathlib import Path

import pytest

from grafana_plugin_host.errors import ConfigError
from grafana_plugin_host.provisioning import expand, parse_file, read_plan


def test_expand_variables_recursively() -> None:
    env = {"A": "1", "B_C": "two"}
    assert expand({"x": ["$A", "${B_C}-$$A", "$MISSING."], "n": 3}, env) == {"x": ["1", "two-$A", "."], "n": 3}


def test_parse_a_full_file() -> None:
    plan = parse_file(
        """
apiVersion: 1
deleteDatasources:
  - name: Old
  - {name: Older, orgId: 2}
datasources:
  - name: Prom
    type: prometheus
    access: direct
    orgId: 3
    uid: prom
    url: http://prom:9090
    user: u
    database: 42
    basicAuth: true
    basicAuthUser: bob
    withCredentials: true
    isDefault: true
    jsonData: {httpMethod: POST}
    secureJsonData: {basicAuthPassword: $PW}
    password: legacy
    editable: true
""",
        "f.yaml",
        {"PW": "from-env"},
    )
    assert plan.deletes == [(1, "Old"), (2, "Older")]
    (item,) = plan.datasources
    spec = item.spec
    assert item.org_id == 3 and spec.name == "Prom" and spec.access == "direct" and spec.database == "42"
    assert spec.basic_auth and spec.with_credentials and spec.is_default and not spec.read_only
    assert spec.json_data == {"httpMethod": "POST"}
    assert spec.secure_json_data == {"basicAuthPassword": "from-env", "password": "legacy"}


def test_defaults_and_empty_files() -> None:
    (item,) = parse_file("datasources:\n  - {name: a, type: t}\n", "f.yaml", {}).datasources
    assert item.org_id == 1 and item.spec.access == "proxy" and item.spec.read_only
    assert parse_file("", "f.yaml", {}).datasources == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a\n", "expected a mapping"),
        ("datasources: {a: 1}\n", "datasources must be a list"),
        ("datasources:\n  - just text\n", "must be a mapping"),
        ("datasources:\n  - {name: a, type: t, orgId: -1}\n", "orgId must be a positive whole number"),
        ("datasources:\n  - {name: a, type: t, jsonData: [1]}\n", "expected a mapping with text keys"),
        ("datasources:\n  - {name: [x], type: t}\n", "expected text"),
        ("datasources:\n  - {name: a, type: t, url: 'http://x/" + "p" * 260 + "'}\n", "Invalid datasource url."),
        ("deleteDatasources:\n  - {orgId: 1}\n", "needs a name"),
    ],
)
def test_errors_name_the_file_and_entry(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=r"f\.yaml") as error:
        parse_file(text, "f.yaml", {})
    assert message in str(error.value)


def test_read_plan_reads_yaml_files_in_order_and_checks_defaults(tmp_path: Path) -> None:
    assert read_plan(tmp_path).datasources == []
    folder = tmp_path / "datasources"
    folder.mkdir()
    (folder / "b.yml").write_text("datasources:\n  - {name: b, type: t, isDefault: true}\n")
    (folder / "a.yaml").write_text("datasources:\n  - {name: a, type: t}\n")
    (folder / "ignored.txt").write_text("not: [yaml")
    assert [item.spec.name for item in read_plan(tmp_path, {}).datasources] == ["a", "b"]
    (folder / "c.yaml").write_text("datasources:\n  - {name: c, type: t, isDefault: true, orgId: 2}\n")
    assert len(read_plan(tmp_path, {}).datasources) == 3
    (folder / "d.yaml").write_text("datasources:\n  - {name: d, type: t, isDefault: true}\n")
    with pytest.raises(ConfigError, match="only one data source per organization"):
        read_plan(tmp_path, {})
