"""Failed-login limiting per login and client address, with a sliding window."""

from __future__ import annotations

from grafana_plugin_host.auth._ratelimit import LoginAttempts


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_blocks_after_max_failures_within_the_window() -> None:
    clock = _Clock()
    attempts = LoginAttempts(max_attempts=3, window=60, clock=clock)
    for _ in range(2):
        attempts.add_failure("Admin", "10.0.0.1")
    assert not attempts.is_blocked("admin", "10.0.0.1")
    attempts.add_failure("admin", "10.0.0.1")
    assert attempts.is_blocked("ADMIN", "10.0.0.1")  # logins compare case-insensitively
    assert not attempts.is_blocked("admin", "10.0.0.2")  # per address
    assert not attempts.is_blocked("other", "10.0.0.1")  # per login
    clock.now += 61
    assert not attempts.is_blocked("admin", "10.0.0.1")


def test_window_slides() -> None:
    clock = _Clock()
    attempts = LoginAttempts(max_attempts=2, window=60, clock=clock)
    attempts.add_failure("a", "ip")
    clock.now += 40
    attempts.add_failure("a", "ip")
    assert attempts.is_blocked("a", "ip")
    clock.now += 30  # the first failure left the window
    assert not attempts.is_blocked("a", "ip")


def test_reset_forgets_failures() -> None:
    attempts = LoginAttempts(max_attempts=1)
    attempts.add_failure("a", "ip")
    assert attempts.is_blocked("a", "ip")
    attempts.reset("a", "ip")
    assert not attempts.is_blocked("a", "ip")


def test_memory_is_bounded() -> None:
    attempts = LoginAttempts(max_attempts=1, max_keys=10)
    for n in range(50):
        attempts.add_failure(f"user{n}", "ip")
    assert attempts.is_blocked("user49", "ip")
    assert not attempts.is_blocked("user0", "ip")
