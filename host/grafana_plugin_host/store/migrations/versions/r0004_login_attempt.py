"""Failed logins in the database, so the lockout holds across every host sharing it.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``login_attempt`` (user key, client address, Unix time) with its indexes."""
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(190), nullable=False),
        sa.Column("ip_address", sa.String(50), nullable=False),
        sa.Column("created", sa.BigInteger, nullable=False),
    )
    op.create_index("IDX_login_attempt_username", "login_attempt", ["username"])
    op.create_index("IDX_login_attempt_created", "login_attempt", ["created"])


def downgrade() -> None:
    """Drop ``login_attempt``."""
    op.drop_table("login_attempt")
