"""The ``login_attempt`` table: failed logins by user key and time, shared by every host on the database.

The attempt that locks a user out also moves the change counter (in the same transaction), so every host's
identity cache forgets what it knew of that user before its next request: a lockout reached through one host
holds on every host, even for a password another host has already verified.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, func, insert, select, update

from ._schema import change_counter, login_attempt

_t = login_attempt.c
#: Width of the ``username`` column: longer keys are stored and looked up by their first 190 characters.
_KEY_WIDTH = 190


def count_since(conn: Connection, key: str, since: int) -> int:
    """Failed attempts of ``key`` after Unix time ``since``."""
    found: int = conn.execute(
        select(func.count()).where(_t.username == key[:_KEY_WIDTH], _t.created > since)
    ).scalar_one()
    return found


def record(conn: Connection, key: str, address: str, now: int, forget_before: int, limit: int) -> int:
    """Add one failed attempt, drop every attempt (any key) at or before ``forget_before``, and return the key's
    attempts now in the window; the one reaching ``limit`` (the lockout) moves the change counter."""
    conn.execute(delete(login_attempt).where(_t.created <= forget_before))
    conn.execute(insert(login_attempt).values(username=key[:_KEY_WIDTH], ip_address=address[:50], created=now))
    found = count_since(conn, key, forget_before)
    if found >= limit:
        conn.execute(update(change_counter).where(change_counter.c.id == 1).values(value=change_counter.c.value + 1))
    return found


def forget(conn: Connection, key: str) -> None:
    """Drop every failed attempt of ``key``."""
    conn.execute(delete(login_attempt).where(_t.username == key[:_KEY_WIDTH]))
