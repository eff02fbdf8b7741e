"""Instance management (placeholder, replaced below)."""

from __future__ import annotations


def manage(plugin_id: str, factory: object) -> None:
    """Placeholder."""
    raise NotImplementedError
