"""Editors without TypeScript: declare settings and query fields in Python, get Grafana's editors for free.

Declare a dataclass whose attributes are editor fields, wrap it in a :class:`SettingsSchema` or
:class:`QuerySchema`, parse ``DataSourceInstanceSettings`` / ``DataQuery`` with it in your handlers, and write the
generic frontend into the plugin folder with :func:`write_frontend`.
"""

from ._fields import (
    FieldSpec,
    Kind,
    Option,
    ResourceOptions,
    boolean,
    code,
    multiline,
    number,
    secret,
    select,
    text,
)
from ._frontend import declaration, generic_module, render_module, write_frontend
from ._schema import InvalidQuery, InvalidSettings, QueryHandler, QuerySchema, SettingsSchema, Streaming

__all__ = [
    "FieldSpec",
    "InvalidQuery",
    "InvalidSettings",
    "Kind",
    "Option",
    "QueryHandler",
    "QuerySchema",
    "ResourceOptions",
    "SettingsSchema",
    "Streaming",
    "boolean",
    "code",
    "declaration",
    "generic_module",
    "multiline",
    "number",
    "render_module",
    "secret",
    "select",
    "text",
    "write_frontend",
]
