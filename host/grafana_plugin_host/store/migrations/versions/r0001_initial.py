"""Initial schema: orgs, users, org members, API keys, data sources and envelope data keys.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True)


def _stamps() -> tuple[sa.Column[datetime], sa.Column[datetime]]:
    return sa.Column("created", sa.DateTime, nullable=False), sa.Column("updated", sa.DateTime, nullable=False)


def upgrade() -> None:
    """Create every table and seed org 1, "Main Org."."""
    org = op.create_table(
        "org",
        _id(),
        sa.Column("name", sa.String(190), nullable=False, unique=True),
        *_stamps(),
    )
    op.create_table(
        "user",
        _id(),
        sa.Column("login", sa.String(190), nullable=False, unique=True),
        sa.Column("email", sa.String(190), nullable=False, server_default=""),
        sa.Column("name", sa.String(255), nullable=False, server_default=""),
        sa.Column("password", sa.String(255), nullable=True),
        sa.Column("salt", sa.String(50), nullable=True),
        sa.Column("is_admin", sa.Boolean, nullable=False, server_default="0"),
        sa.Column("is_service_account", sa.Boolean, nullable=False, server_default="0"),
        sa.Column("org_id", sa.BigInteger, sa.ForeignKey("org.id", ondelete="CASCADE"), nullable=False),
        *_stamps(),
        sa.Column("is_disabled", sa.Boolean, nullable=False, server_default="0"),
    )
    op.create_table(
        "org_user",
        _id(),
        sa.Column("org_id", sa.BigInteger, sa.ForeignKey("org.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("user_id", sa.BigInteger, sa.ForeignKey("user.id", ondelete="CASCADE"), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        *_stamps(),
        sa.UniqueConstraint("org_id", "user_id", name="UQE_org_user_org_id_user_id"),
    )
    op.create_table(
        "api_key",
        _id(),
        sa.Column("org_id", sa.BigInteger, sa.ForeignKey("org.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("name", sa.String(190), nullable=False),
        sa.Column("key", sa.String(190), nullable=False, unique=True),
        sa.Column("role", sa.String(255), nullable=False),
        *_stamps(),
        sa.Column("expires", sa.BigInteger, nullable=True),
        sa.Column("last_used_at", sa.DateTime, nullable=True),
        sa.Column("service_account_id", sa.BigInteger, sa.ForeignKey("user.id", ondelete="CASCADE"), nullable=True),
        sa.Column("is_revoked", sa.Boolean, nullable=False, server_default="0"),
    )
    op.create_table(
        "data_source",
        _id(),
        sa.Column("org_id", sa.BigInteger, nullable=False),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("type", sa.String(255), nullable=False),
        sa.Column("name", sa.String(190), nullable=False),
        sa.Column("access", sa.String(255), nullable=False),
        sa.Column("url", sa.String(255), nullable=False),
        sa.Column("user", sa.String(255), nullable=True),
        sa.Column("database", sa.String(255), nullable=True),
        sa.Column("basic_auth", sa.Boolean, nullable=False),
        sa.Column("basic_auth_user", sa.String(255), nullable=True),
        sa.Column("is_default", sa.Boolean, nullable=False),
        sa.Column("json_data", sa.Text, nullable=True),
        *_stamps(),
        sa.Column("with_credentials", sa.Boolean, nullable=False, server_default="0"),
        sa.Column("secure_json_data", sa.Text, nullable=True),
        sa.Column("read_only", sa.Boolean, nullable=True),
        sa.Column("uid", sa.String(40), nullable=False),
        sa.Column("api_version", sa.String(20), nullable=True),
        sa.UniqueConstraint("org_id", "name", name="UQE_data_source_org_id_name"),
        sa.UniqueConstraint("org_id", "uid", name="UQE_data_source_org_id_uid"),
    )
    op.create_index("IDX_data_source_org_id", "data_source", ["org_id"])
    op.create_index("IDX_data_source_org_id_is_default", "data_source", ["org_id", "is_default"])
    op.create_table(
        "data_keys",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("scope", sa.String(30), nullable=False),
        sa.Column("provider", sa.String(50), nullable=False),
        sa.Column("encrypted_data", sa.LargeBinary, nullable=False),
        *_stamps(),
        sa.Column("label", sa.String(100), nullable=False, server_default=""),
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    op.bulk_insert(org, [{"name": "Main Org.", "created": now, "updated": now}])


def downgrade() -> None:
    """Drop every table."""
    for table in ("data_keys", "data_source", "api_key", "org_user", "user", "org"):
        op.drop_table(table)
