"""The admin user from ``[security] admin_user / admin_password``, created or updated at start."""

from __future__ import annotations

import logging

from sqlalchemy import Connection, Engine

from grafana_plugin_host.config import Settings
from grafana_plugin_host.store import identity as db
from grafana_plugin_host.store import read_in, write_in

from ._passwords import hash_password, salt_of, verify_password

log = logging.getLogger(__name__)

#: The org every installation starts with ("Main Org."), where the admin is an Admin.
MAIN_ORG_ID = 1


def _apply(conn: Connection, login: str, stored: str | None) -> None:
    found = db.find_user(conn, login)
    if found is None:
        if stored is None:
            return
        db.create_user(
            conn,
            login=login,
            email="admin@localhost",
            org_id=MAIN_ORG_ID,
            role="Admin",
            password=stored,
            salt=salt_of(stored),
            is_admin=True,
        )
        log.info("created the admin user %r", login)
        return
    if stored is not None or not found.is_admin:
        changes: dict[str, object] = {"is_admin": True}
        if stored is not None:
            changes.update(password=stored, salt=salt_of(stored))
        db.update_user(conn, found.id, **changes)
        log.info("updated the admin user %r from the configuration", login)
    if db.role_in_org(conn, found.id, MAIN_ORG_ID) is None:
        db.add_member(conn, MAIN_ORG_ID, found.id, "Admin")


def ensure_admin_user(engine: Engine, settings: Settings) -> None:
    """Create the configured admin (server admin, Admin of org 1), or set its password if it changed."""
    login, password = settings.admin_user, settings.admin_password
    if not login or not password:
        log.warning("[security] admin_user or admin_password is empty; no admin user is managed")
        return
    found = read_in(engine, db.find_user, login)
    current = found is not None and bool(found.password) and verify_password(password, found.password)
    # Hash outside the write transaction: the KDF is slow and SQLite would hold its write lock meanwhile.
    write_in(engine, _apply, login, None if current else hash_password(password))
    if password == "admin":
        log.warning("the admin user has the default password; set [security] admin_password")
