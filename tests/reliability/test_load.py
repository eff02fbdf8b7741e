"""Sustained load at 16 and 64 concurrent clients: every request answers 200."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
import pytest

from tests.hostile.conftest import Env
from tests.reliability.conftest import load, token_for


@pytest.mark.parametrize("clients", [16, 64])
def test_sustained_load_has_no_errors(env: Env, clients: int) -> None:
    seconds = 5.0
    run = asyncio.run(load(env, token_for(env), clients, seconds))
    print("\n" + run.summary(f"load {clients} clients", seconds))
    assert run.samples and run.errors == 0


def test_password_guessing_barely_slows_token_queries(env: Env) -> None:
    token = token_for(env)
    quiet = asyncio.run(load(env, token, 4, 4.0))
    stop = threading.Event()

    def guess(n: int) -> None:
        with httpx.Client(base_url=env.host.url, timeout=30) as client:
            while not stop.is_set():
                client.get("/api/datasources", auth=(f"nobody-{n}-{time.monotonic_ns()}", "guess"))

    guessers = [threading.Thread(target=guess, args=(n,)) for n in range(8)]
    for thread in guessers:
        thread.start()
    try:
        busy = asyncio.run(load(env, token, 4, 4.0))
    finally:
        stop.set()
        for thread in guessers:
            thread.join(30)
    ratio = busy.percentile(0.5) / quiet.percentile(0.5)
    print(f"\n{quiet.summary('token queries, quiet', 4.0)}\n{busy.summary('token queries, 8 guessers', 4.0)}")
    print(f"p50 with 8 password-guessing threads: {ratio:.2f}x the quiet p50")
    assert busy.errors == 0 and ratio < 4
