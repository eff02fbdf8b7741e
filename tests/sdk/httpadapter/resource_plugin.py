"""A plugin program serving the Flask (``flask``) or the Starlette (``starlette``) test app as its resources."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the repository root: this checkout's packages

from grafana_plugin_sdk import serve
from tests.sdk.httpadapter.apps import handler_for

if __name__ == "__main__":
    serve(handler_for(sys.argv[1]))
