"""Alembic environment: runs on the connection :func:`grafana_plugin_host.store._migrate.migrate` passes in."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
