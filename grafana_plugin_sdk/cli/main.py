"""The ``grafana-plugin`` command line: one subcommand per step from a new project to a zip Grafana installs."""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from grafana_plugin_sdk._hints import HOST_INSTALL

from . import _dev, _host
from ._build import build, write_source_launchers
from ._package import PackageError, package
from ._project import Project, ProjectError
from ._scaffold import Names, ScaffoldError, scaffold
from ._targets import DEFAULT_PYTHONS, DEFAULT_TARGETS, TargetError, parse_targets
from ._validate import plugin_folder, validate
from ._vendor import VendorError

#: Errors in what the user asked for (exit status 2); a VendorError is a failed build (exit status 1).
_USAGE_ERRORS = (ProjectError, TargetError, ScaffoldError, PackageError)


def _new(args: argparse.Namespace) -> int:
    if args.sql and args.type != "datasource":
        raise ScaffoldError("--sql makes a data source; it cannot be combined with --type app")
    kind = "sql" if args.sql else args.type
    names = Names.for_id(args.plugin_id, args.type, args.name)
    destination = Path(args.directory or args.plugin_id)
    scaffold(destination, names, kind)
    print(f"Created {destination}/ ({kind} plugin {names.id}, Python package {names.package}). Next:")
    print(f'  cd {destination} && python3 -m venv .venv && .venv/bin/pip install -e ".[dev]" && .venv/bin/pytest')
    return 0


def _build(args: argparse.Namespace) -> int:
    project = Project.load(Path(args.directory))
    targets = parse_targets(args.target, args.python)
    out = Path(args.out) if args.out else project.root / "dist"
    print(f"Building {project.plugin_id} into {out} for {len(targets)} target(s)...", flush=True)
    report = build(project, out, targets, Path(args.pip_cache) if args.pip_cache else None, args.exclude or ())
    print("\n".join(report.lines()))
    return 0


def _launchers(args: argparse.Namespace) -> int:
    for path in write_source_launchers(Project.load(Path(args.directory))):
        print(f"wrote {path}")
    return 0


def _run_dev(args: argparse.Namespace) -> int:
    if not _host.host_installed():
        print("error: `grafana-plugin dev` runs the host, which is not installed. Install it with:", file=sys.stderr)
        print(f"  {HOST_INSTALL}", file=sys.stderr)
        return 2
    project = Project.load(Path(args.directory))
    with tempfile.TemporaryDirectory(prefix="grafana-plugin-dev-") as workdir:
        return _dev.run(project, Path(workdir), args.port)


def _report(directory: Path) -> bool:
    """Print the validation of ``directory``; whether it has no errors."""
    problems = validate(directory)
    for problem in problems:
        print(problem, file=sys.stderr if problem.level == "error" else sys.stdout)
    errors = sum(p.level == "error" for p in problems)
    verdict = "is not valid" if errors else "is valid"
    print(f"{plugin_folder(directory)} {verdict}: {errors} error(s), {len(problems) - errors} warning(s)")
    return not errors


def _validate(args: argparse.Namespace) -> int:
    return 0 if _report(Path(args.directory)) else 1


def _package(args: argparse.Namespace) -> int:
    directory = Path(args.directory)
    folder = plugin_folder(directory)
    if folder == directory and not (directory / "plugin.json").is_file():
        raise PackageError(f"{directory} has no plugin.json or dist/: run `grafana-plugin build` first")
    if not _report(directory):
        print("error: not packaged: fix the errors above first", file=sys.stderr)
        return 1
    for platform in args.target or [None]:
        result = package(folder, Path(args.out) if args.out else directory, platform)
        size = result.zip.stat().st_size / (1 << 20)
        print(f"{result.zip} ({size:.1f} MiB), {result.sha1.name}, {result.md5.name}")
    return 0


def _command(
    add_parser: Callable[..., argparse.ArgumentParser],
    name: str,
    description: str,
    run: Callable[[argparse.Namespace], int],
    directory: str | None = "the plugin project (default: .)",
) -> argparse.ArgumentParser:
    parser = add_parser(name, help=description, description=description)
    if directory is not None:
        parser.add_argument("directory", nargs="?", default=".", help=directory)
    parser.set_defaults(run=run)
    return parser


def _parser() -> argparse.ArgumentParser:
    description = "Scaffold, build, validate, package and run a Grafana backend plugin written in Python."
    parser = argparse.ArgumentParser(prog="grafana-plugin", description=description)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND").add_parser

    new = _command(commands, "new", "create a plugin project in a new folder", _new, directory=None)
    new.add_argument("plugin_id", help="<org>-<name>-<type>, e.g. acme-weather-datasource")
    new.add_argument("--type", choices=["datasource", "app"], default="datasource")
    new.add_argument("--sql", action="store_true", help="an SQL data source (SQLite demo, rawSql queries)")
    new.add_argument("--name", default="", help="display name (default: from the id)")
    new.add_argument("--directory", help="where to create it (default: ./<plugin-id>)")

    built = _command(commands, "build", "write dist/: assets, code, vendored dependencies, launchers", _build)
    built.add_argument("--out", help="output folder (default: <project>/dist)")
    built.add_argument(
        "--target",
        action="append",
        choices=DEFAULT_TARGETS,
        help=f"<os>_<arch> to build for; repeat for several (default: all of {', '.join(DEFAULT_TARGETS)})",
    )
    built.add_argument(
        "--python",
        action="append",
        metavar="X.Y",
        help=f"CPython version to vendor for; repeat for several (default: {', '.join(DEFAULT_PYTHONS)})",
    )
    built.add_argument("--pip-cache", metavar="DIR", help="pip's download cache (default: pip's own)")
    built.add_argument(
        "--exclude",
        action="append",
        metavar="GLOB",
        help="drop vendored files matching this path glob, e.g. 'pyarrow/*flight*' (repeat for several)",
    )

    description = "write launchers running the project from source (its .venv) into the project folder"
    _command(commands, "launchers", description, _launchers)

    description = "check a plugin folder as Grafana's loader would (dist/ when built)"
    _command(commands, "validate", description, _validate, "the plugin project or folder (default: .)")

    dev = _command(commands, "dev", "run the host with this plugin from source; restart it on changes", _run_dev)
    dev.add_argument("--port", type=int, default=3000, help="the host's HTTP port (default: 3000)")

    description = "zip the built plugin for `grafana cli --pluginUrl`, with checksums"
    pack = _command(commands, "package", description, _package, "the plugin project or folder (default: .)")
    pack.add_argument("--out", help="folder for the zip and its checksums (default: the project folder)")
    pack.add_argument(
        "--target",
        action="append",
        choices=DEFAULT_TARGETS,
        help="one zip per <os>_<arch> holding only its launcher and libraries (<id>-<version>.<os>_<arch>.zip)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; the exit status (0 ok, 1 the checked or built thing is wrong, 2 bad usage or input)."""
    args = _parser().parse_args(argv)
    try:
        status: int = args.run(args)
    except _USAGE_ERRORS as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except VendorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return status
