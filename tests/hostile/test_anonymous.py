"""Item 13: anonymous access follows Grafana's rule: resources (any method) need only ``datasources:query``.

Grafana registers the resource routes behind ``reqSignedIn``, which admits anonymous users, and authorizes them
with ``datasources:query`` alone; so an anonymous Viewer may POST to a resource, but never write data sources.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.hostile.conftest import Env, start_env


@pytest.fixture(scope="module")
def anonymous_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    """The suite's host with ``[auth.anonymous] enabled`` (org 1, Viewer)."""
    yield from start_env(tmp_path_factory.mktemp("anon"), extra_ini="[auth.anonymous]\nenabled = true\n")


def test_an_anonymous_viewer_calls_resources_but_cannot_write_data_sources(anonymous_env: Env, env: Env) -> None:
    with httpx.Client(base_url=anonymous_env.host.url) as anonymous:
        resource = anonymous.post(f"/api/datasources/uid/{anonymous_env.backend_uid}/resources/echo", content=b"hi")
        assert resource.status_code == 201 and b'"body":"hi"' in resource.content  # the plugin answered
        created = anonymous.post("/api/datasources", json={"name": "anon", "type": "x", "access": "proxy"})
        assert created.status_code == 403
        deleted = anonymous.delete(f"/api/datasources/uid/{anonymous_env.backend_uid}")
        assert deleted.status_code == 403
    with httpx.Client(base_url=env.host.url) as stranger:  # anonymous access off: nothing without credentials
        assert stranger.post(f"/api/datasources/uid/{env.backend_uid}/resources/echo", content=b"hi").status_code == 401
