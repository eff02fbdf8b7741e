"""A plugin killed (SIGKILL) or frozen (SIGSTOP) under load: bounded failures, then recovery by itself."""

from __future__ import annotations

import asyncio
import os
import signal
import time

from tests.hostile.conftest import Env
from tests.reliability.conftest import Run, alive, load, plugin_pid, token_for


def _after_fault(run: Run, fault_at: float) -> tuple[int, float]:
    """Failed requests (in flight at the fault or later), and seconds from the fault to the first success after
    the last failure."""
    failures = [t for t, status, latency in run.samples if status != 200 and t + latency >= fault_at]
    if not failures:
        return 0, 0.0
    last_failure = max(failures)
    recovered = min((t for t, status, _ in run.samples if status == 200 and t > last_failure), default=float("inf"))
    return len(failures), recovered - fault_at


async def _with_fault(env: Env, sig: int, fault_at: float, seconds: float) -> tuple[Run, int]:
    pid = plugin_pid(env)
    run = Run(time.monotonic())

    async def fault() -> None:
        await asyncio.sleep(fault_at)
        os.kill(pid, sig)

    await asyncio.gather(load(env, token_for(env), 16, seconds, run), fault())
    return run, pid


def test_plugin_sigkill_under_load(env: Env) -> None:
    run, pid = asyncio.run(_with_fault(env, signal.SIGKILL, 2.0, 10.0))
    failed, recovery = _after_fault(run, 2.0)
    print(
        f"\nplugin SIGKILL under 16 clients: {run.summary('run', 10.0)}; {failed} failed, recovered in {recovery:.2f} s"
    )
    assert not alive(pid) and recovery < 6.0
    assert all(status == 200 for t, status, latency in run.samples if t + latency < 2.0 or t > 2.0 + recovery)


def test_plugin_sigstop_under_load(env: Env) -> None:
    run, pid = asyncio.run(_with_fault(env, signal.SIGSTOP, 1.0, 30.0))
    try:
        failed, recovery = _after_fault(run, 1.0)
        late = [status for t, status, _ in run.samples if t > 1.0 + recovery]
        print(
            f"\nplugin SIGSTOP under 16 clients: {run.summary('run', 30.0)}; {failed} failed, recovered in {recovery:.2f} s"
        )
        statuses = {status for _, status, _ in run.samples if status != 200}
        assert statuses <= {503, 504}  # timed out or unavailable: never a hang, never a 500
        assert recovery < 25.0 and late and all(status == 200 for status in late)
    finally:
        if alive(pid):
            os.kill(pid, signal.SIGCONT)
