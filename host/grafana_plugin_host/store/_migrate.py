"""Run the Alembic migrations to the newest revision: idempotent, and safe when several hosts start at once."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

from ._engine import WRITE

_SCRIPTS = Path(__file__).resolve().parent / "migrations"
# Any constant; PostgreSQL serialises concurrent migrators on this advisory lock.
_PG_LOCK_ID = 0x6766_706C_6F73_7401 & 0x7FFF_FFFF_FFFF_FFFF


def alembic_config() -> Config:
    """The Alembic configuration pointing at the host's migration scripts."""
    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    return config


def migrate(engine: Engine) -> None:
    """Upgrade the database to the newest schema (a no-op when it is current)."""
    config = alembic_config()
    with engine.connect().execution_options(**WRITE) as connection, connection.begin():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _PG_LOCK_ID})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
