"""The README's "Test your plugin" example runs as written against its "Write a plugin" example."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[3] / "README.md"


def _python_block(section: str) -> str:
    text = README.read_text().split(f"## {section}", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```python\n(.*?)```", text, re.S)
    assert match is not None, f"no python block in the README's {section!r} section"
    return match.group(1)


def _pytest(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_readme_testing_example_passes_and_writes_its_golden_file(tmp_path: Path) -> None:
    (tmp_path / "line_plugin.py").write_text(_python_block("Write a plugin"))
    (tmp_path / "test_line.py").write_text(
        "from line_plugin import LineDataSource\n" + _python_block("Test your plugin")
    )
    missing = _pytest(tmp_path)
    assert missing.returncode == 1 and "update-golden" in missing.stdout, missing.stdout
    first = _pytest(tmp_path, "--update-golden")
    assert first.returncode == 0, first.stdout + first.stderr
    golden = tmp_path / "testdata" / "line.jsonc"
    assert "This was machine generated" in golden.read_text()
    again = _pytest(tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
