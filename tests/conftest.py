"""Shared test configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
TESTVECTORS = SHARED / "testvectors" / "go-sdk"


@pytest.fixture
def go_testvectors() -> Path:
    """The Go SDK's golden files in ../shared; skips where they are absent (a user's clone)."""
    if not TESTVECTORS.is_dir():
        pytest.skip(f"Go SDK test vectors not found at {TESTVECTORS} (only present beside the project in CI)")
    return TESTVECTORS
