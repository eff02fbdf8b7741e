"""``grafana-plugin``: scaffold, build, validate, package and run a Python backend plugin for Grafana.

The command is :func:`main`; the pieces are importable for tools and tests.
"""

from ._build import build, write_source_launchers
from ._project import Project, ProjectError
from ._targets import DEFAULT_PYTHONS, DEFAULT_TARGETS, host_platform
from ._validate import Problem, validate
from ._vendor import share_pure_packages, strip
from .main import main

__all__ = [
    "DEFAULT_PYTHONS",
    "DEFAULT_TARGETS",
    "Problem",
    "Project",
    "ProjectError",
    "build",
    "host_platform",
    "main",
    "share_pure_packages",
    "strip",
    "validate",
    "write_source_launchers",
]
