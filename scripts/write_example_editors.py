"""Write each example plugin's module.js from its ``schema`` module (settings and query declarations).

Run after changing an example's ``schema.py`` or the SDK's frontend: ``python scripts/write_example_editors.py``.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from grafana_plugin_sdk import editors

EXAMPLES = Path(__file__).resolve().parent.parent / "example_plugins"


def example_modules() -> dict[Path, str]:
    """The module.js text of each example that declares its editors in ``<package>.schema`` (``SETTINGS``, ``QUERY``)."""
    rendered = {}
    for folder in sorted(p.parent for p in EXAMPLES.glob("*/plugin.json")):
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))
        schemas = list(folder.glob("*/schema.py"))
        if not schemas:  # an example without declared editors keeps its own module.js
            continue
        schema = importlib.import_module(f"{schemas[0].parent.name}.schema")
        settings = getattr(schema, "SETTINGS", None)
        rendered[folder / "module.js"] = editors.render_module(settings, getattr(schema, "QUERY", None))
    return rendered


def main() -> None:
    """Write every example's module.js."""
    for path, text in example_modules().items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(EXAMPLES.parent)}")


if __name__ == "__main__":
    main()
