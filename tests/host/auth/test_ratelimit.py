"""Failed-login limiting per resolved user, in the database (shared by every host on it), with a sliding window."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from grafana_plugin_host.auth._ratelimit import LoginAttempts
from grafana_plugin_host.store._engine import make_engine
from grafana_plugin_host.store._migrate import migrate


class _Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    made = make_engine(f"sqlite:///{tmp_path / 'attempts.db'}")
    migrate(made)
    yield made
    made.dispose()


def test_blocks_after_max_failures_within_the_window_from_any_address(engine: Engine) -> None:
    clock = _Clock()
    attempts = LoginAttempts(engine, max_attempts=3, window=60, clock=clock)
    attempts.add_failure("Admin", "10.0.0.1")
    attempts.add_failure("admin", "10.0.0.2")
    assert not attempts.is_blocked("admin")
    attempts.add_failure("admin", "10.0.0.3")
    assert attempts.is_blocked("ADMIN")  # keys compare case-insensitively; the address is no part of the key
    assert not attempts.is_blocked("other")
    clock.now += 61
    assert not attempts.is_blocked("admin")


def test_two_counters_on_one_database_count_together(engine: Engine) -> None:
    clock = _Clock()
    first = LoginAttempts(engine, max_attempts=2, window=60, clock=clock)
    second = LoginAttempts(engine, max_attempts=2, window=60, clock=clock)
    first.add_failure("u", "a")
    second.add_failure("u", "b")
    assert first.is_blocked("u") and second.is_blocked("u")


def test_window_slides_and_old_rows_are_pruned(engine: Engine) -> None:
    clock = _Clock()
    attempts = LoginAttempts(engine, max_attempts=2, window=60, clock=clock)
    attempts.add_failure("a", "ip")
    clock.now += 40
    attempts.add_failure("a", "ip")
    assert attempts.is_blocked("a")
    clock.now += 30  # the first failure left the window
    assert attempts.failures("a") == 1
    attempts.add_failure("b", "ip")  # prunes rows older than the window
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM login_attempt").scalar_one() == 2


def test_reset_forgets_failures(engine: Engine) -> None:
    attempts = LoginAttempts(engine, max_attempts=1)
    attempts.add_failure("a", "ip")
    assert attempts.is_blocked("a")
    attempts.reset("A")
    assert not attempts.is_blocked("a")


def test_seen_failures_is_local_and_windowed(engine: Engine) -> None:
    clock = _Clock()
    here = LoginAttempts(engine, max_attempts=2, window=60, clock=clock)
    there = LoginAttempts(engine, max_attempts=2, window=60, clock=clock)
    assert not here.seen_failures("u")
    here.add_failure("U", "a")
    assert here.seen_failures("u") and not there.seen_failures("u")  # the database count is shared, this is not
    clock.now += 61
    assert not here.seen_failures("u")
    here.add_failure("u", "a")
    here.reset("u")
    assert not here.seen_failures("u")
