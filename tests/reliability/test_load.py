"""Sustained load at 16 and 64 concurrent clients: every request answers 200."""

from __future__ import annotations

import asyncio

import pytest

from tests.hostile.conftest import Env
from tests.reliability.conftest import load, token_for


@pytest.mark.parametrize("clients", [16, 64])
def test_sustained_load_has_no_errors(env: Env, clients: int) -> None:
    seconds = 5.0
    run = asyncio.run(load(env, token_for(env), clients, seconds))
    print("\n" + run.summary(f"load {clients} clients", seconds))
    assert run.samples and run.errors == 0
