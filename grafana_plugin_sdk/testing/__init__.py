"""Plugin test harness: pytest fixtures and helpers for plugin authors."""
