"""Vendoring rules on staged folders shaped like ``pip install --target`` output."""

from __future__ import annotations

from pathlib import Path

from grafana_plugin_sdk.cli import share_pure_packages, strip


def install(stage: Path, name: str, version: str, files: dict[str, str], tag: str = "py3-none-any") -> None:
    """A distribution as pip leaves it: its files, a dist-info with WHEEL tags and RECORD."""
    info = f"{name}-{version}.dist-info"
    for relative, text in files.items():
        (stage / relative).parent.mkdir(parents=True, exist_ok=True)
        (stage / relative).write_text(text)
    (stage / info).mkdir(parents=True)
    (stage / info / "WHEEL").write_text(f"Wheel-Version: 1.0\nTag: {tag}\n")
    (stage / info / "METADATA").write_text(f"Name: {name}\nVersion: {version}\n")
    record = [*files, f"{info}/WHEEL", f"{info}/METADATA", f"{info}/RECORD", "../../bin/tool"]
    (stage / info / "RECORD").write_text("".join(f"{r},,\n" for r in record))


def test_pure_distributions_in_every_stage_are_shared_once(tmp_path: Path) -> None:
    stages = [tmp_path / "linux", tmp_path / "darwin"]
    for stage, tag in zip(stages, ["cp311-cp311-manylinux_2_28_x86_64", "cp311-cp311-macosx_11_0_arm64"], strict=True):
        install(stage, "pure", "1.0", {"pure/__init__.py": "x = 1"})
        install(stage, "binary", "2.0", {"binary/__init__.py": "", "binary/_fast.so": stage.name}, tag=tag)
        # A pure plug-in writing into the binary distribution's package must stay beside it.
        install(stage, "binary_addon", "1.0", {"binary/addon.py": "y = 2"})
    install(stages[0], "only_here", "1.0", {"only_here.py": ""})
    install(stages[0], "versioned", "1.0", {"versioned.py": "v1"})
    install(stages[1], "versioned", "2.0", {"versioned.py": "v2"})
    shared = tmp_path / "any"
    shared.mkdir()
    share_pure_packages(stages, shared)
    assert (shared / "pure" / "__init__.py").read_text() == "x = 1"
    assert (shared / "pure-1.0.dist-info" / "WHEEL").is_file()
    for stage in stages:
        assert not (stage / "pure").exists() and not (stage / "pure-1.0.dist-info").exists()
        assert (stage / "binary" / "_fast.so").read_text() == stage.name
        assert (stage / "binary" / "addon.py").is_file() and (stage / "binary_addon-1.0.dist-info").is_dir()
    assert (stages[0] / "only_here.py").is_file() and not (shared / "only_here.py").exists()
    assert (stages[0] / "versioned.py").read_text() == "v1" and (stages[1] / "versioned.py").read_text() == "v2"


def test_strip_keeps_code_licences_and_metadata(tmp_path: Path) -> None:
    keep = [
        "pkg/__init__.py",
        "pkg/lib.so",
        "pkg/testing/util.py",
        "pkg-1.0.dist-info/METADATA",
        "pkg-1.0.dist-info/LICENSE",
    ]
    drop = [
        "pkg/__pycache__/x.cpython-311.pyc",
        "pkg/tests/test_x.py",
        "pkg/include/pkg/api.h",
        "pkg/src/x.cc",
        "pkg/_x.pyx",
        "pkg/__init__.pyi",
        "bin/tool",
        "pkg-1.0.dist-info/RECORD",
        "pkg-1.0.dist-info/INSTALLER",
    ]
    for relative in keep + drop:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("x")
    strip(tmp_path)
    remaining = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert remaining == sorted(keep)
    assert not (tmp_path / "pkg" / "src").exists() and not (tmp_path / "bin").exists()  # emptied folders go too
