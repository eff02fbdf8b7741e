"""Records the host's layers pass around: data sources and the identity of a caller."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class OrgRole(enum.StrEnum):
    """A user's role in an org. Roles inherit: Admin ⊃ Editor ⊃ Viewer ⊃ None."""

    NONE = "None"
    VIEWER = "Viewer"
    EDITOR = "Editor"
    ADMIN = "Admin"

    @property
    def rank(self) -> int:
        """Position in the inheritance order (higher includes lower)."""
        return list(OrgRole).index(self)


@dataclass(frozen=True)
class Identity:
    """Who is calling: a user, a service account or an anonymous visitor, acting in one org."""

    org_id: int
    org_role: OrgRole
    login: str = ""
    name: str = ""
    email: str = ""
    user_id: int = 0
    is_service_account: bool = False
    is_anonymous: bool = False
    is_grafana_admin: bool = False


@dataclass
class DataSource:
    """A stored data source. Secret values are not here: the store decrypts them on request."""

    id: int
    uid: str
    org_id: int
    name: str
    type: str
    access: str = "proxy"
    url: str = ""
    user: str = ""
    database: str = ""
    basic_auth: bool = False
    basic_auth_user: str = ""
    with_credentials: bool = False
    is_default: bool = False
    json_data: dict[str, Any] = field(default_factory=dict)
    #: Keys of ``secureJsonData`` whose stored value is non-empty (Grafana's ``secureJsonFields``).
    secure_json_fields: frozenset[str] = frozenset()
    version: int = 1
    read_only: bool = False
    created: datetime | None = None
    updated: datetime | None = None
    api_version: str = ""
