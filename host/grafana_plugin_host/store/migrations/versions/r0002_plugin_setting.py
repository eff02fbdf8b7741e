"""Plugin settings per org (app plugins' jsonData, encrypted secureJsonData, enabled, pinned), as Grafana's.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``plugin_setting``."""
    op.create_table(
        "plugin_setting",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("org_id", sa.BigInteger, nullable=False),
        sa.Column("plugin_id", sa.String(190), nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("pinned", sa.Boolean, nullable=False),
        sa.Column("json_data", sa.Text, nullable=True),
        sa.Column("secure_json_data", sa.Text, nullable=True),
        sa.Column("plugin_version", sa.String(50), nullable=True),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("updated", sa.DateTime, nullable=False),
        sa.UniqueConstraint("org_id", "plugin_id", name="UQE_plugin_setting_org_id_plugin_id"),
    )


def downgrade() -> None:
    """Drop ``plugin_setting``."""
    op.drop_table("plugin_setting")
