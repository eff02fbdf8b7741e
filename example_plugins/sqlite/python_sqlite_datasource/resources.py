"""Autocompletion resources as a Flask app: ``GET tables`` and ``GET columns?table=NAME``."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue

from grafana_plugin_sdk.sqlutil import QueryError


def create_app(connect: Callable[[], sqlite3.Connection]) -> Flask:
    """A Flask app answering from the database ``connect()`` opens."""
    app = Flask("python_sqlite_datasource")

    @app.errorhandler(QueryError)
    def query_error(exc: QueryError) -> ResponseReturnValue:
        return jsonify(message=str(exc)), 400

    @app.get("/tables")
    def tables() -> ResponseReturnValue:
        with closing(connect()) as db:
            rows = db.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name").fetchall()
        return jsonify([name for (name,) in rows if not name.startswith("sqlite_")])

    @app.get("/columns")
    def columns() -> ResponseReturnValue:
        table = request.args.get("table", "")
        if not table:
            return jsonify(message="the table query parameter is required"), 400
        with closing(connect()) as db:
            known = db.execute("SELECT 1 FROM sqlite_master WHERE name = ? AND type IN ('table', 'view')", (table,))
            if known.fetchone() is None:
                return jsonify(message=f"no table named {table!r}"), 404
            info = db.execute("SELECT name, type FROM pragma_table_info(?)", (table,)).fetchall()
        return jsonify([{"name": name, "type": type_} for name, type_ in info])

    return app
