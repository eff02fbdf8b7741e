"""The web pieces every route module shares: reading requests, writing responses and errors, forms, metrics."""

from .forms import ASSIGNABLE_ROLES, int_param, iso, json_object, paging, role_field, text_field
from .requests import identity_of, path_id, read_body, read_json
from .responses import JSONResponse, grafana_error

__all__ = [
    "ASSIGNABLE_ROLES",
    "JSONResponse",
    "grafana_error",
    "identity_of",
    "int_param",
    "iso",
    "json_object",
    "paging",
    "path_id",
    "read_body",
    "read_json",
    "role_field",
    "text_field",
]
