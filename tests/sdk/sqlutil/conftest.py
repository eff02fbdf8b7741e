"""A psycopg connection to the test PostgreSQL (``GRAFANA_PLUGIN_HOST_TEST_PG_URL``), or a skip saying why not."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest

PG_ENV = "GRAFANA_PLUGIN_HOST_TEST_PG_URL"


@pytest.fixture
def pg_url() -> str:
    """The server's URL for psycopg (the env var is SQLAlchemy-style ``postgresql+psycopg://``)."""
    url = os.environ.get(PG_ENV, "")
    if not url:
        pytest.skip(f"needs a PostgreSQL server: set {PG_ENV} (CI starts one in .ci/setup.d/10-postgres.sh)")
    return re.sub(r"^postgresql\+\w+://", "postgresql://", url)


@pytest.fixture
def pg(pg_url: str) -> Iterator[Any]:
    """An autocommit connection (temporary tables vanish with it)."""
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as connection:
        yield connection
