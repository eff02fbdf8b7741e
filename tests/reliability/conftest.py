"""The load and fault suite: a real host with a real plugin on loopback, driven by concurrent clients.

Each test prints its figures (``-s`` shows them; CI logs keep them). Every run is bounded in time.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.hostile.conftest import Env, start_env


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    """The hostile suite's host (plugin deadline 3 s), shared by one module."""
    yield from start_env(tmp_path_factory.mktemp("reliability"))


def token_for(env: Env) -> str:
    """A Viewer service account token on the host (token auth keeps the password hash out of the figures)."""
    with env.client() as admin:
        account = admin.post("/api/serviceaccounts", json={"name": f"load-{time.monotonic_ns()}", "role": "Viewer"})
        assert account.status_code == 201, account.text
        token = admin.post(
            f"/api/serviceaccounts/{account.json()['id']}/tokens", json={"name": f"load-{time.monotonic_ns()}"}
        )
        assert token.status_code == 200, token.text
    key: str = token.json()["key"]
    return key


def small_query(env: Env) -> dict[str, object]:
    """A one-frame query on the backend plugin."""
    return {"queries": [{"refId": "A", "datasource": {"uid": env.backend_uid}}], "from": "now-1h", "to": "now"}


@dataclass
class Run:
    """Outcome of a load run: (seconds since start, status or 0 for a transport error, latency) per request."""

    started: float
    samples: list[tuple[float, int, float]] = field(default_factory=list)

    @property
    def errors(self) -> int:
        """Requests that did not answer 200."""
        return sum(1 for _, status, _ in self.samples if status != 200)

    def percentile(self, fraction: float) -> float:
        """A latency percentile in milliseconds over the successful requests."""
        latencies = sorted(latency for _, status, latency in self.samples if status == 200)
        return 1000 * latencies[min(len(latencies) - 1, int(fraction * len(latencies)))] if latencies else float("nan")

    def summary(self, label: str, seconds: float) -> str:
        """One line of figures."""
        return (
            f"{label}: {len(self.samples)} requests in {seconds:.1f} s ({len(self.samples) / seconds:.0f}/s), "
            f"{self.errors} errors, p50 {self.percentile(0.5):.1f} ms, p99 {self.percentile(0.99):.1f} ms"
        )


async def load(env: Env, token: str, clients: int, seconds: float, run: Run | None = None) -> Run:
    """``clients`` concurrent clients sending small queries for ``seconds``."""
    run = run or Run(time.monotonic())
    body = small_query(env)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=env.host.url, headers=headers, limits=limits, timeout=30) as client:

        async def worker() -> None:
            end = run.started + seconds
            while (now := time.monotonic()) < end:
                try:
                    status = (await client.post("/api/ds/query", json=body)).status_code
                except httpx.HTTPError:
                    status = 0
                run.samples.append((now - run.started, status, time.monotonic() - now))

        await asyncio.gather(*(worker() for _ in range(clients)))
    return run


def plugin_pid(env: Env) -> int:
    """The backend plugin's process id (its ``sleep`` scenario writes it)."""
    pid_file = env.tmp / f"pid-{time.monotonic_ns()}"
    query = {"refId": "A", "datasource": {"uid": env.backend_uid}, "scenario": "sleep", "seconds": 0}
    with env.client() as client:
        body = {"queries": [{**query, "pidFile": str(pid_file)}], "from": "now-1h", "to": "now"}
        assert client.post("/api/ds/query", json=body).status_code == 200
    return int(Path(pid_file).read_text())


def alive(pid: int) -> bool:
    """Whether a process with this id exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
