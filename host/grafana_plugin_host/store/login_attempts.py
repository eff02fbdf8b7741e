"""The ``login_attempt`` table: failed logins by user key and time, shared by every host on the database."""

from __future__ import annotations

from sqlalchemy import Connection, delete, func, insert, select

from ._schema import login_attempt

_t = login_attempt.c


def count_since(conn: Connection, key: str, since: int) -> int:
    """Failed attempts of ``key`` after Unix time ``since``."""
    found: int = conn.execute(select(func.count()).where(_t.username == key, _t.created > since)).scalar_one()
    return found


def record(conn: Connection, key: str, address: str, now: int, forget_before: int) -> None:
    """Add one failed attempt, and drop every attempt (any key) at or before ``forget_before``."""
    conn.execute(delete(login_attempt).where(_t.created <= forget_before))
    conn.execute(insert(login_attempt).values(username=key[:190], ip_address=address[:50], created=now))


def forget(conn: Connection, key: str) -> None:
    """Drop every failed attempt of ``key``."""
    conn.execute(delete(login_attempt).where(_t.username == key))
