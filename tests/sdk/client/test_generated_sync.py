"""The blocking client is generated from the asyncio one: the committed file must match what the source generates."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def test_generated_sync_client_is_fresh() -> None:
    pytest.importorskip("unasync", reason="unasync (the dev extra) generates the blocking client")
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_sync.py"), "--check"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_both_clients_offer_the_same_calls() -> None:
    from grafana_plugin_sdk.client import AsyncGrafanaClient, GrafanaClient

    def public(cls: type) -> set[str]:
        return {name for name in vars(cls) if not name.startswith("_")}

    assert public(AsyncGrafanaClient) - {"aclose"} == public(GrafanaClient) - {"close"}
