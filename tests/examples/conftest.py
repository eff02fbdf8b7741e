"""Make the example plugins' packages importable, as their launchers do (plugin folder on the path)."""

from __future__ import annotations

import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "example_plugins"

for folder in sorted(EXAMPLES.iterdir()):
    if (folder / "plugin.json").is_file() and str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
