"""Role-based access control as Grafana OSS does it: fixed roles granted to org roles, scopes with wildcards.

Pure functions; the API layer calls :func:`require` with the caller's identity.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Iterable

from .errors import ApiError
from .models import Identity, OrgRole

Permission = tuple[str, str]  # (action, scope); an empty scope means "any scope"

_DS_ALL = "datasources:*"

#: What each org role is granted (own grants only; roles inherit from lower ones).
ROLE_GRANTS: dict[OrgRole, tuple[Permission, ...]] = {
    OrgRole.NONE: (),
    OrgRole.VIEWER: (
        ("datasources:read", _DS_ALL),
        ("datasources:query", _DS_ALL),
        ("datasources.id:read", _DS_ALL),
        ("plugins:read", ""),
        ("orgs:read", ""),
    ),
    OrgRole.EDITOR: (("datasources:explore", ""),),
    OrgRole.ADMIN: (
        ("datasources:create", ""),
        ("datasources:write", _DS_ALL),
        ("datasources:delete", _DS_ALL),
        ("org.users:read", "users:*"),
        ("org.users:add", "users:*"),
        ("org.users:write", "users:*"),
        ("org.users:remove", "users:*"),
        ("serviceaccounts:read", "serviceaccounts:*"),
        ("serviceaccounts:create", ""),
        ("serviceaccounts:write", "serviceaccounts:*"),
        ("serviceaccounts:delete", "serviceaccounts:*"),
        ("plugins:write", ""),
        ("orgs:write", ""),
    ),
}

#: Extra grants of a Grafana server admin, whatever their org role.
SERVER_ADMIN_GRANTS: tuple[Permission, ...] = (
    ("users:read", "global.users:*"),
    ("users:create", ""),
    ("users:write", "global.users:*"),
    ("users:delete", "global.users:*"),
    ("users.roles:update", "global.users:*"),
    ("orgs:read", ""),
    ("orgs:create", ""),
    ("orgs:write", ""),
    ("orgs:delete", ""),
)


def permissions(identity: Identity) -> tuple[Permission, ...]:
    """Every permission the identity holds in its org."""
    return _granted(identity.org_role, identity.is_grafana_admin)


@functools.cache
def _granted(org_role: OrgRole, is_grafana_admin: bool) -> tuple[Permission, ...]:
    granted: list[Permission] = []
    for role in OrgRole:
        if role.rank <= org_role.rank:
            granted.extend(ROLE_GRANTS[role])
    if is_grafana_admin:
        granted.extend(SERVER_ADMIN_GRANTS)
    return tuple(granted)


def scope_matches(granted: str, wanted: str) -> bool:
    """Whether a granted scope covers the wanted one (``datasources:*`` covers ``datasources:uid:x``)."""
    if not granted or granted == wanted:
        return True
    return granted.endswith("*") and wanted.startswith(granted[:-1])


def has_access(granted: Iterable[Permission], action: str, scope: str = "") -> bool:
    """Whether the permissions allow ``action`` on ``scope`` (an empty scope: on anything)."""
    return any(a == action and (not scope or scope_matches(s, scope)) for a, s in granted)


def access_denied(action: str, scope: str = "") -> ApiError:
    """Grafana's 403 body for a failed permission check."""
    needed = f"action:{action} scopes:{scope}" if scope else f"action:{action}"
    return ApiError(
        403,
        f"You'll need additional permissions to perform this action. Permissions needed: {needed}",
        title="Access denied",
        accessErrorId=f"ACE{secrets.randbelow(10**10):010d}",
    )


def require(identity: Identity, action: str, scope: str = "") -> None:
    """Raise the 403 ApiError unless the identity may do ``action`` on ``scope``."""
    if not has_access(permissions(identity), action, scope):
        raise access_denied(action, scope)


def require_global(identity: Identity, action: str, scope: str = "") -> None:
    """Like :func:`require` for server-wide actions (all orgs, all users): only server-admin grants count."""
    granted = SERVER_ADMIN_GRANTS if identity.is_grafana_admin else ()
    if not has_access(granted, action, scope):
        raise access_denied(action, scope)


def require_role_at_most(identity: Identity, role: OrgRole) -> None:
    """Refuse (403) to grant a role above the caller's own, as Grafana does for users and service accounts."""
    if role.rank > identity.org_role.rank:
        raise ApiError(403, "Cannot assign a role higher than user's role")


def has_admin_rights(identity: object) -> bool:
    """Whether the caller (an Identity, or None before authentication) is an org admin or a server admin."""
    return isinstance(identity, Identity) and (identity.org_role is OrgRole.ADMIN or identity.is_grafana_admin)
