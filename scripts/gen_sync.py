"""Generate the blocking twins of the SDK's asyncio code (``…/_async/*.py`` → ``…/_sync/*.py``) with unasync.

Usage: python scripts/gen_sync.py [--check]   (--check: exit 1 when a generated file is stale, write nothing)
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import unasync

ROOT = Path(__file__).resolve().parent.parent
#: Folders holding code written once for asyncio, each with a generated ``_sync`` sibling.
ASYNC_DIRS = [ROOT / "grafana_plugin_sdk" / "client" / "_async"]
REPLACEMENTS = {
    "AsyncGrafanaClient": "GrafanaClient",
    "AsyncClient": "Client",
    "AsyncBaseTransport": "BaseTransport",
    "aclose": "close",
}
HEADER = "# Generated from the _async package by scripts/gen_sync.py: do not edit.\n"


def generate(out_root: Path | None = None) -> list[Path]:
    """Write every ``_sync`` file (below ``out_root`` instead of beside its source when given); their paths."""
    written = []
    for source_dir in ASYNC_DIRS:
        target_dir = source_dir.with_name("_sync")
        if out_root is not None:
            target_dir = out_root / target_dir.relative_to(ROOT)
        rule = unasync.Rule(str(source_dir) + "/", str(target_dir) + "/", additional_replacements=REPLACEMENTS)
        sources = [str(p) for p in sorted(source_dir.glob("*.py")) if p.name != "__init__.py"]
        unasync.unasync_files(sources, [rule])
        for source in sources:
            target = target_dir / Path(source).name
            target.write_text(HEADER + target.read_text())
            written.append(target)
    # Formatted as the repository's own code is, so the committed files pass the format check.
    subprocess.run([sys.executable, "-m", "ruff", "format", "-q", *map(str, written)], check=True, cwd=ROOT)
    return written


def stale() -> list[Path]:
    """The committed generated files that differ from what the sources generate now."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = generate(Path(tmp))
        return [
            committed
            for path in fresh
            if not (committed := ROOT / path.relative_to(tmp)).is_file() or committed.read_text() != path.read_text()
        ]


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        outdated = stale()
        for path in outdated:
            print(f"stale: {path.relative_to(ROOT)} (run python scripts/gen_sync.py)")
        sys.exit(1 if outdated else 0)
    for path in generate():
        print(f"wrote {path.relative_to(ROOT)}")
