"""Change counter: one row every write to the tables caches depend on increments, by trigger.

Hosts cache identities and data sources in memory and compare this counter before serving from the cache, so
a change committed by any host (or by hand) invalidates every host's cache. ``api_key`` counts every change
except ``last_used_at`` (written as tokens are used).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

#: Tables whose rows identities, permissions, data sources and secrets are built from.
TABLES = ("org", "user", "org_user", "api_key", "data_source", "data_keys")
#: ``api_key`` columns whose change counts (not ``last_used_at``).
API_KEY_COLUMNS = "id, org_id, name, key, role, created, updated, expires, service_account_id, is_revoked"
_BUMP = "UPDATE change_counter SET value = value + 1"


def _sqlite_triggers() -> None:
    for table in TABLES:
        for event in ("INSERT", "UPDATE", "DELETE"):
            what = f"UPDATE OF {API_KEY_COLUMNS}" if (table, event) == ("api_key", "UPDATE") else event
            op.execute(
                f'CREATE TRIGGER change_counter_{table}_{event.lower()} AFTER {what} ON "{table}" BEGIN {_BUMP}; END'
            )


def _postgresql_triggers() -> None:
    op.execute(
        "CREATE FUNCTION change_counter_bump() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN {_BUMP}; RETURN NULL; END $$"
    )
    for table in TABLES:
        update = f"UPDATE OF {API_KEY_COLUMNS}" if table == "api_key" else "UPDATE"
        op.execute(
            f'CREATE TRIGGER change_counter_{table} AFTER INSERT OR DELETE OR {update} ON "{table}" '
            "FOR EACH STATEMENT EXECUTE FUNCTION change_counter_bump()"
        )
        op.execute(
            f'CREATE TRIGGER change_counter_{table}_truncate AFTER TRUNCATE ON "{table}" '
            "FOR EACH STATEMENT EXECUTE FUNCTION change_counter_bump()"
        )


def upgrade() -> None:
    """Create the counter (one row, 0) and the triggers of this database's dialect."""
    counter = op.create_table(
        "change_counter",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    op.bulk_insert(counter, [{"id": 1, "value": 0}])
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def downgrade() -> None:
    """Drop the triggers and the counter."""
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f'DROP TRIGGER change_counter_{table} ON "{table}"')
            op.execute(f'DROP TRIGGER change_counter_{table}_truncate ON "{table}"')
        op.execute("DROP FUNCTION change_counter_bump()")
    else:
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER change_counter_{table}_{event}")
    op.drop_table("change_counter")
