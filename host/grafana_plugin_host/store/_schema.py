"""The tables the host queries (SQLAlchemy Core), Grafana-like names and columns.

The migrations in ``migrations/versions`` create them; a test checks both agree.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

org = Table(
    "org",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("name", String(190), nullable=False, unique=True),
    Column("created", DateTime, nullable=False),
    Column("updated", DateTime, nullable=False),
)

user = Table(
    "user",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("login", String(190), nullable=False, unique=True),
    Column("email", String(190), nullable=False, server_default=""),
    Column("name", String(255), nullable=False, server_default=""),
    Column("password", String(255), nullable=True),
    Column("salt", String(50), nullable=True),
    Column("is_admin", Boolean, nullable=False, server_default="0"),
    Column("is_service_account", Boolean, nullable=False, server_default="0"),
    Column("org_id", BigInteger, ForeignKey("org.id", ondelete="CASCADE"), nullable=False),
    Column("created", DateTime, nullable=False),
    Column("updated", DateTime, nullable=False),
    Column("is_disabled", Boolean, nullable=False, server_default="0"),
)

org_user = Table(
    "org_user",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("org_id", BigInteger, ForeignKey("org.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("user_id", BigInteger, ForeignKey("user.id", ondelete="CASCADE"), nullable=False),
    Column("role", String(20), nullable=False),
    Column("created", DateTime, nullable=False),
    Column("updated", DateTime, nullable=False),
    UniqueConstraint("org_id", "user_id", name="UQE_org_user_org_id_user_id"),
)

api_key = Table(
    "api_key",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("org_id", BigInteger, ForeignKey("org.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", String(190), nullable=False),
    Column("key", String(190), nullable=False, unique=True),
    Column("role", String(255), nullable=False),
    Column("created", DateTime, nullable=False),
    Column("updated", DateTime, nullable=False),
    Column("expires", BigInteger, nullable=True),
    Column("last_used_at", DateTime, nullable=True),
    Column("service_account_id", BigInteger, ForeignKey("user.id", ondelete="CASCADE"), nullable=True),
    Column("is_revoked", Boolean, nullable=False, server_default="0"),
)

data_source = Table(
    "data_source",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("org_id", BigInteger, nullable=False),
    Column("version", BigInteger, nullable=False),
    Column("type", String(255), nullable=False),
    Column("name", String(190), nullable=False),
    Column("access", String(255), nullable=False),
    Column("url", String(255), nullable=False),
    Column("user", String(255), nullable=True),
    Column("database", String(255), nullable=True),
    Column("basic_auth", Boolean, nullable=False),
    Column("basic_auth_user", String(255), nullable=True),
    Column("is_default", Boolean, nullable=False),
    Column("json_data", Text, nullable=True),
    Column("created", DateTime, nullable=False),
    Column("updated", DateTime, nullable=False),
    Column("with_credentials", Boolean, nullable=False, server_default="0"),
    #: JSON map: secure key -> envelope ciphertext (see ``_secrets``); never plaintext.
    Column("secure_json_data", Text, nullable=True),
    Column("read_only", Boolean, nullable=True),
    Column("uid", String(40), nullable=False),
    Column("api_version", String(20), nullable=True),
    UniqueConstraint("org_id", "name", name="UQE_data_source_org_id_name"),
    UniqueConstraint("org_id", "uid", name="UQE_data_source_org_id_uid"),
    Index("IDX_data_source_org_id", "org_id"),
    Index("IDX_data_source_org_id_is_default", "org_id", "is_default"),
)

data_keys = Table(
    "data_keys",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("active", Boolean, nullable=False),
    Column("scope", String(30), nullable=False),
    Column("provider", String(50), nullable=False),
    Column("encrypted_data", LargeBinary, nullable=False),
    Column("created", DateTime, nullable=False),
    Column("updated", DateTime, nullable=False),
    Column("label", String(100), nullable=False, server_default=""),
)

login_attempt = Table(
    "login_attempt",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("username", String(190), nullable=False),
    Column("ip_address", String(50), nullable=False),
    Column("created", BigInteger, nullable=False),
    Index("IDX_login_attempt_username", "username"),
    Index("IDX_login_attempt_created", "created"),
)

#: One row (id 1) whose value triggers increment on every write to the tables caches depend on (see
#: ``migrations/versions/r0003_change_counter.py``).
change_counter = Table(
    "change_counter",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("value", BigInteger, nullable=False),
)
