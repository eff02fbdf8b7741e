"""A running host for the client tests: the example TestData plugin and one provisioned data source."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from grafana_plugin_sdk.testing import Stack, start_stack

EXAMPLES = Path(__file__).resolve().parents[3] / "example_plugins"
TESTDATA_UID = "testdata"


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    """One host for the module's tests (starting one costs about a second)."""
    with start_stack(
        plugins=[EXAMPLES / "testdata"],
        datasources=[{"name": "TestData", "type": "python-testdata-datasource", "uid": TESTDATA_UID}],
    ) as running:
        yield running
