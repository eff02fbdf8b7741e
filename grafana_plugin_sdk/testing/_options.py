"""Harness options the pytest plugin sets from the command line (e.g. ``--update-golden``)."""

from __future__ import annotations

import os

_state = {"update_golden": False}
#: Setting this variable to 1 also rewrites golden files (outside pytest, or without the plugin).
UPDATE_GOLDEN_ENV = "GRAFANA_PLUGIN_SDK_UPDATE_GOLDEN"


def set_update_golden(value: bool) -> None:
    """Set by the pytest plugin from ``--update-golden``."""
    _state["update_golden"] = value


def update_golden() -> bool:
    """Whether golden files are rewritten instead of compared."""
    return _state["update_golden"] or os.environ.get(UPDATE_GOLDEN_ENV, "") == "1"
