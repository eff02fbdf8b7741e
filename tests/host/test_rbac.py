"""RBAC: OSS default grants, inheritance, scopes and Grafana's 403 body."""

from __future__ import annotations

import pytest

from grafana_plugin_host.errors import ApiError
from grafana_plugin_host.models import Identity, OrgRole
from grafana_plugin_host.rbac import has_access, permissions, require, scope_matches


def _who(role: OrgRole, admin: bool = False) -> Identity:
    return Identity(org_id=1, org_role=role, is_grafana_admin=admin)


@pytest.mark.parametrize(
    ("role", "action", "allowed"),
    [
        (OrgRole.VIEWER, "datasources:read", True),
        (OrgRole.VIEWER, "datasources:query", True),
        (OrgRole.VIEWER, "datasources:write", False),
        (OrgRole.EDITOR, "datasources:query", True),
        (OrgRole.EDITOR, "datasources:delete", False),
        (OrgRole.ADMIN, "datasources:write", True),
        (OrgRole.ADMIN, "datasources:create", True),
        (OrgRole.NONE, "datasources:read", False),
    ],
)
def test_oss_defaults(role: OrgRole, action: str, allowed: bool) -> None:
    assert has_access(permissions(_who(role)), action, "datasources:uid:abc") is allowed


def test_scope_wildcards() -> None:
    assert scope_matches("datasources:*", "datasources:uid:x")
    assert scope_matches("datasources:uid:x", "datasources:uid:x")
    assert not scope_matches("datasources:uid:x", "datasources:uid:y")
    assert not scope_matches("serviceaccounts:*", "datasources:uid:x")


def test_server_admin_alone_has_no_datasource_rights() -> None:
    who = _who(OrgRole.VIEWER, admin=True)
    assert has_access(permissions(who), "orgs:create")
    assert not has_access(permissions(who), "datasources:write", "datasources:uid:x")


def test_denied_body_is_grafanas() -> None:
    with pytest.raises(ApiError) as caught:
        require(_who(OrgRole.VIEWER), "datasources:delete", "datasources:uid:x")
    body = caught.value.body()
    assert caught.value.status == 403
    assert body["title"] == "Access denied"
    assert body["message"].endswith("Permissions needed: action:datasources:delete scopes:datasources:uid:x")
    assert body["accessErrorId"].startswith("ACE") and len(body["accessErrorId"]) == 13


def test_global_actions_need_a_server_admin() -> None:
    from grafana_plugin_host.rbac import require_global

    with pytest.raises(ApiError) as caught:
        require_global(_who(OrgRole.ADMIN), "orgs:read")
    assert caught.value.status == 403
    require_global(_who(OrgRole.VIEWER, admin=True), "orgs:read")


def test_role_cap() -> None:
    from grafana_plugin_host.rbac import require_role_at_most

    require_role_at_most(_who(OrgRole.EDITOR), OrgRole.EDITOR)
    with pytest.raises(ApiError) as caught:
        require_role_at_most(_who(OrgRole.EDITOR), OrgRole.ADMIN)
    assert caught.value.status == 403
