"""Orgs, users, org memberships and service account tokens: queries and writes on one connection.

Every function takes an open :class:`~sqlalchemy.Connection`; the caller owns the transaction. Everything
org-scoped takes the org id and never touches another org's rows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, CursorResult, Row, and_, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from ._errors import StoreError
from ._schema import api_key, org, org_user, user


class OrgNameTakenError(StoreError):
    """Another org has that name."""


class UserExistsError(StoreError):
    """Another user has that login or email."""


class AlreadyMemberError(StoreError):
    """The user is already a member of the org."""


class ServiceAccountExistsError(StoreError):
    """The org already has a service account with that name."""


class TokenNameTakenError(StoreError):
    """The org already has a token with that name."""


def utcnow() -> datetime:
    """The current time as the store keeps it: naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Org:
    """An org row."""

    id: int
    name: str
    created: datetime
    updated: datetime


@dataclass(frozen=True)
class User:
    """A user (or service account) row; ``password`` is the stored hash, never plaintext."""

    id: int
    login: str
    email: str
    name: str
    password: str
    is_admin: bool
    is_service_account: bool
    org_id: int
    is_disabled: bool
    created: datetime
    updated: datetime

    def __repr__(self) -> str:
        return f"User(id={self.id}, login={self.login!r}, org_id={self.org_id})"


@dataclass(frozen=True)
class Member:
    """A user's membership in an org, with the user's public fields."""

    org_id: int
    user_id: int
    login: str
    email: str
    name: str
    role: str
    is_disabled: bool


@dataclass(frozen=True)
class ServiceAccount:
    """A service account in an org: its user row, role there and number of tokens."""

    id: int
    name: str
    login: str
    org_id: int
    role: str
    is_disabled: bool
    tokens: int


@dataclass(frozen=True)
class Token:
    """An API key / service account token row (``key`` is the stored hash)."""

    id: int
    org_id: int
    name: str
    key: str
    role: str
    created: datetime
    expires: int | None
    last_used_at: datetime | None
    service_account_id: int | None
    is_revoked: bool

    def __repr__(self) -> str:
        return f"Token(id={self.id}, org_id={self.org_id}, name={self.name!r})"


_u, _o, _m, _k = user.c, org.c, org_user.c, api_key.c


def _inserted_id(result: CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _user(row: Row[Any]) -> User:
    return User(
        id=row.id,
        login=row.login,
        email=row.email or "",
        name=row.name or "",
        password=row.password or "",
        is_admin=bool(row.is_admin),
        is_service_account=bool(row.is_service_account),
        org_id=row.org_id,
        is_disabled=bool(row.is_disabled),
        created=row.created,
        updated=row.updated,
    )


def _token(row: Row[Any]) -> Token:
    return Token(
        id=row.id,
        org_id=row.org_id,
        name=row.name,
        key=row.key,
        role=row.role,
        created=row.created,
        expires=row.expires,
        last_used_at=row.last_used_at,
        service_account_id=row.service_account_id,
        is_revoked=bool(row.is_revoked),
    )


# ---- orgs ---------------------------------------------------------------------------------------------------


def get_org(conn: Connection, org_id: int) -> Org | None:
    """The org with that id."""
    row = conn.execute(select(org).where(_o.id == org_id)).first()
    return Org(row.id, row.name, row.created, row.updated) if row else None


def get_org_by_name(conn: Connection, name: str) -> Org | None:
    """The org with that name."""
    row = conn.execute(select(org).where(_o.name == name)).first()
    return Org(row.id, row.name, row.created, row.updated) if row else None


def search_orgs(conn: Connection, query: str = "", *, limit: int = 1000, offset: int = 0) -> list[Org]:
    """Orgs whose name contains ``query``, by name."""
    stmt = select(org).order_by(_o.name).limit(limit).offset(offset)
    if query:
        stmt = stmt.where(_o.name.contains(query, autoescape=True))
    return [Org(r.id, r.name, r.created, r.updated) for r in conn.execute(stmt)]


def create_org(conn: Connection, name: str) -> int:
    """Insert an org; raises OrgNameTakenError if the name is used."""
    if get_org_by_name(conn, name) is not None:
        raise OrgNameTakenError(name)
    now = utcnow()
    try:
        result = conn.execute(insert(org).values(name=name, created=now, updated=now))
    except IntegrityError:
        raise OrgNameTakenError(name) from None
    return _inserted_id(result)


# ---- users --------------------------------------------------------------------------------------------------


def get_user(conn: Connection, user_id: int) -> User | None:
    """The user (or service account) with that id."""
    row = conn.execute(select(user).where(_u.id == user_id)).first()
    return _user(row) if row else None


def find_user(conn: Connection, login_or_email: str) -> User | None:
    """The human user whose login (or else email) matches, case-insensitively as Grafana does."""
    wanted = login_or_email.lower()
    humans = select(user).where(_u.is_service_account.is_(False))
    row = conn.execute(humans.where(func.lower(_u.login) == wanted)).first()
    if row is None and wanted:
        row = conn.execute(humans.where(func.lower(_u.email) == wanted)).first()
    return _user(row) if row else None


def create_user(
    conn: Connection,
    *,
    login: str,
    org_id: int,
    role: str,
    email: str = "",
    name: str = "",
    password: str = "",
    salt: str = "",
    is_admin: bool = False,
    is_service_account: bool = False,
) -> int:
    """Insert a user and its membership of ``org_id`` with ``role``; raises UserExistsError on a clash."""
    taken = [func.lower(_u.login) == login.lower()]
    if email:
        taken.append(func.lower(_u.email) == email.lower())
    if conn.execute(select(_u.id).where(or_(*taken))).first() is not None:
        raise UserExistsError(login)
    now = utcnow()
    try:
        result = conn.execute(
            insert(user).values(
                login=login,
                email=email,
                name=name,
                password=password or None,
                salt=salt or None,
                is_admin=is_admin,
                is_service_account=is_service_account,
                org_id=org_id,
                is_disabled=False,
                created=now,
                updated=now,
            )
        )
    except IntegrityError:
        raise UserExistsError(login) from None
    user_id = _inserted_id(result)
    add_member(conn, org_id, user_id, role)
    return user_id


def update_user(conn: Connection, user_id: int, **values: Any) -> None:
    """Set columns of a user row (``password``, ``salt``, ``is_admin``, ``org_id``...)."""
    conn.execute(update(user).where(_u.id == user_id).values(**values, updated=utcnow()))


# ---- memberships --------------------------------------------------------------------------------------------


def role_in_org(conn: Connection, user_id: int, org_id: int) -> str | None:
    """The user's role in the org, or None if not a member."""
    return conn.execute(select(_m.role).where(_m.user_id == user_id, _m.org_id == org_id)).scalar()


def add_member(conn: Connection, org_id: int, user_id: int, role: str) -> None:
    """Make the user a member of the org; raises AlreadyMemberError if it is one."""
    if role_in_org(conn, user_id, org_id) is not None:
        raise AlreadyMemberError(str(user_id))
    now = utcnow()
    try:
        conn.execute(insert(org_user).values(org_id=org_id, user_id=user_id, role=role, created=now, updated=now))
    except IntegrityError:
        raise AlreadyMemberError(str(user_id)) from None


def list_members(conn: Connection, org_id: int) -> list[Member]:
    """The org's human members, by login."""
    stmt = (
        select(_m.org_id, _m.user_id, _m.role, _u.login, _u.email, _u.name, _u.is_disabled)
        .join(user, _u.id == _m.user_id)
        .where(_m.org_id == org_id, _u.is_service_account.is_(False))
        .order_by(_u.login)
    )
    return [
        Member(r.org_id, r.user_id, r.login, r.email or "", r.name or "", r.role, bool(r.is_disabled))
        for r in conn.execute(stmt)
    ]


def count_admins(conn: Connection, org_id: int) -> int:
    """How many members (human or not) hold the Admin role in the org."""
    stmt = select(func.count()).select_from(org_user).where(_m.org_id == org_id, _m.role == "Admin")
    return int(conn.execute(stmt).scalar_one())


def set_member_role(conn: Connection, org_id: int, user_id: int, role: str) -> bool:
    """Change a member's role; False if the user is not a member."""
    result = conn.execute(
        update(org_user).where(_m.org_id == org_id, _m.user_id == user_id).values(role=role, updated=utcnow())
    )
    return result.rowcount > 0


def remove_member(conn: Connection, org_id: int, user_id: int) -> bool:
    """Remove a membership; a user whose current org it was moves to another of theirs. False if not a member."""
    result = conn.execute(delete(org_user).where(_m.org_id == org_id, _m.user_id == user_id))
    if result.rowcount == 0:
        return False
    other = conn.execute(select(_m.org_id).where(_m.user_id == user_id).order_by(_m.org_id)).scalar()
    if other is not None:
        conn.execute(update(user).where(_u.id == user_id, _u.org_id == org_id).values(org_id=other))
    return True


# ---- service accounts ---------------------------------------------------------------------------------------


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "sa"


def service_account_login(org_id: int, name: str) -> str:
    """Grafana's login for a service account: ``sa-<org id>-<slug of the name>``."""
    return f"sa-{org_id}-{_slug(name)}"


def _service_accounts(org_id: int) -> Any:
    tokens = (
        select(func.count())
        .select_from(api_key)
        .where(_k.service_account_id == _u.id, _k.org_id == org_id)
        .scalar_subquery()
    )
    return (
        select(_u.id, _u.name, _u.login, _u.is_disabled, _m.org_id, _m.role, tokens.label("tokens"))
        .join(org_user, and_(_m.user_id == _u.id, _m.org_id == org_id))
        .where(_u.is_service_account.is_(True))
    )


def _service_account(row: Row[Any]) -> ServiceAccount:
    return ServiceAccount(row.id, row.name, row.login, row.org_id, row.role, bool(row.is_disabled), int(row.tokens))


def create_service_account(conn: Connection, org_id: int, name: str, role: str, *, is_disabled: bool = False) -> int:
    """Insert a service account of the org; raises ServiceAccountExistsError if the name is taken there."""
    login = service_account_login(org_id, name)
    existing = select(_u.id).where(
        _u.is_service_account.is_(True), _u.org_id == org_id, or_(_u.name == name, _u.login == login)
    )
    if conn.execute(existing).first() is not None:
        raise ServiceAccountExistsError(name)
    try:
        account_id = create_user(conn, login=login, org_id=org_id, role=role, name=name, is_service_account=True)
    except UserExistsError:
        raise ServiceAccountExistsError(name) from None
    if is_disabled:
        update_user(conn, account_id, is_disabled=True)
    return account_id


def get_service_account(conn: Connection, org_id: int, account_id: int) -> ServiceAccount | None:
    """The org's service account with that id."""
    row = conn.execute(_service_accounts(org_id).where(_u.id == account_id)).first()
    return _service_account(row) if row else None


def search_service_accounts(
    conn: Connection, org_id: int, query: str = "", *, limit: int = 1000, offset: int = 0
) -> tuple[int, list[ServiceAccount]]:
    """The total count and one page of the org's service accounts whose name or login contains ``query``."""
    stmt = _service_accounts(org_id)
    if query:
        stmt = stmt.where(or_(_u.name.contains(query, autoescape=True), _u.login.contains(query, autoescape=True)))
    total = int(conn.execute(select(func.count()).select_from(stmt.subquery())).scalar_one())
    rows = conn.execute(stmt.order_by(_u.name).limit(limit).offset(offset))
    return total, [_service_account(r) for r in rows]


def delete_service_account(conn: Connection, org_id: int, account_id: int) -> bool:
    """Delete a service account of the org with its tokens; False if there is none."""
    if get_service_account(conn, org_id, account_id) is None:
        return False
    conn.execute(delete(api_key).where(_k.service_account_id == account_id))
    conn.execute(delete(org_user).where(_m.user_id == account_id))
    conn.execute(delete(user).where(_u.id == account_id, _u.is_service_account.is_(True)))
    return True


# ---- tokens -------------------------------------------------------------------------------------------------


def add_token(
    conn: Connection, org_id: int, account_id: int, name: str, hashed_key: str, role: str, expires: int | None
) -> int:
    """Store a token's hash for a service account; raises TokenNameTakenError if the org has one of that name."""
    if conn.execute(select(_k.id).where(_k.org_id == org_id, _k.name == name)).first() is not None:
        raise TokenNameTakenError(name)
    now = utcnow()
    result = conn.execute(
        insert(api_key).values(
            org_id=org_id,
            name=name,
            key=hashed_key,
            role=role,
            created=now,
            updated=now,
            expires=expires,
            service_account_id=account_id,
            is_revoked=False,
        )
    )
    return _inserted_id(result)


def list_tokens(conn: Connection, org_id: int, account_id: int) -> Sequence[Token]:
    """The tokens of one of the org's service accounts, by name."""
    stmt = select(api_key).where(_k.org_id == org_id, _k.service_account_id == account_id).order_by(_k.name)
    return [_token(r) for r in conn.execute(stmt)]


def token_by_hash(conn: Connection, hashed_key: str) -> Token | None:
    """The token whose stored hash is ``hashed_key``."""
    row = conn.execute(select(api_key).where(_k.key == hashed_key)).first()
    return _token(row) if row else None


def revoke_token(conn: Connection, org_id: int, account_id: int, token_id: int) -> bool:
    """Mark a token revoked (refused from then on); False if the org's service account has no such token."""
    result = conn.execute(
        update(api_key)
        .where(_k.id == token_id, _k.org_id == org_id, _k.service_account_id == account_id)
        .values(is_revoked=True, updated=utcnow())
    )
    return result.rowcount > 0


def touch_token(conn: Connection, token_id: int, when: datetime) -> None:
    """Record when a token was last used."""
    conn.execute(update(api_key).where(_k.id == token_id).values(last_used_at=when))


# ---- whole operations of the management API (each one transaction; failures are StoreErrors, never HTTP) ------


class OrgNotFoundError(StoreError):
    """No org has that id."""


class UserNotFoundError(StoreError):
    """No user (a person, not a service account) with that login, email or id is a member where asked."""


class LastAdminError(StoreError):
    """The change would leave the org without an Admin."""


class ServiceAccountNotFoundError(StoreError):
    """The org has no service account with that id."""


def create_user_in_org(
    conn: Connection, *, login: str, email: str, name: str, org_id: int, role: str, password: str, salt: str
) -> int:
    """A new user, member of ``org_id`` with ``role``; OrgNotFoundError or UserExistsError."""
    if get_org(conn, org_id) is None:
        raise OrgNotFoundError(org_id)
    return create_user(
        conn, login=login, email=email, name=name, org_id=org_id, role=role, password=password, salt=salt
    )


def create_org_with_admin(conn: Connection, name: str, admin_user_id: int | None) -> int:
    """A new org, with ``admin_user_id`` (when given) as its Admin; OrgNameTakenError if the name is taken."""
    org_id = create_org(conn, name)
    if admin_user_id:
        add_member(conn, org_id, admin_user_id, "Admin")
    return org_id


def add_member_by_login(conn: Connection, org_id: int, login_or_email: str, role: str) -> int:
    """Add an existing user to the org; its id. UserNotFoundError or AlreadyMemberError."""
    found = find_user(conn, login_or_email)
    if found is None:
        raise UserNotFoundError(login_or_email)
    add_member(conn, org_id, found.id, role)
    return found.id


def _person_role(conn: Connection, org_id: int, user_id: int) -> str:
    found = get_user(conn, user_id)
    role = role_in_org(conn, user_id, org_id)
    if found is None or found.is_service_account or role is None:
        raise UserNotFoundError(user_id)
    return role


def change_member_role(conn: Connection, org_id: int, user_id: int, role: str) -> None:
    """Change a person's role in the org; UserNotFoundError, or LastAdminError for the last Admin."""
    current = _person_role(conn, org_id, user_id)
    if current == "Admin" and role != "Admin" and count_admins(conn, org_id) <= 1:
        raise LastAdminError(org_id)
    set_member_role(conn, org_id, user_id, role)


def remove_person(conn: Connection, org_id: int, user_id: int) -> None:
    """Remove a person from the org; UserNotFoundError, or LastAdminError for the last Admin."""
    if _person_role(conn, org_id, user_id) == "Admin" and count_admins(conn, org_id) <= 1:
        raise LastAdminError(org_id)
    remove_member(conn, org_id, user_id)


def existing_service_account(conn: Connection, org_id: int, account_id: int) -> ServiceAccount:
    """The org's service account; ServiceAccountNotFoundError if it has none with that id."""
    account = get_service_account(conn, org_id, account_id)
    if account is None:
        raise ServiceAccountNotFoundError(account_id)
    return account


def new_service_account(conn: Connection, org_id: int, name: str, role: str, *, is_disabled: bool) -> ServiceAccount:
    """Create a service account and read it back; ServiceAccountExistsError if the name is taken."""
    account_id = create_service_account(conn, org_id, name, role, is_disabled=is_disabled)
    return existing_service_account(conn, org_id, account_id)


def change_service_account(
    conn: Connection, org_id: int, account_id: int, *, name: str, role: str | None, is_disabled: bool | None
) -> ServiceAccount:
    """Change the name (and login), role or disabled flag of a service account; the account afterwards."""
    existing_service_account(conn, org_id, account_id)
    columns: dict[str, Any] = {}
    if name:
        columns.update(name=name, login=service_account_login(org_id, name))
    if is_disabled is not None:
        columns["is_disabled"] = is_disabled
    if columns:
        update_user(conn, account_id, **columns)
    if role is not None:
        set_member_role(conn, org_id, account_id, role)
    return existing_service_account(conn, org_id, account_id)


def account_tokens(conn: Connection, org_id: int, account_id: int) -> list[Token]:
    """The tokens of an existing service account."""
    existing_service_account(conn, org_id, account_id)
    return list(list_tokens(conn, org_id, account_id))


def add_account_token(
    conn: Connection, org_id: int, account_id: int, name: str, hashed_key: str, expires: int | None
) -> int:
    """A token for an existing service account, with the account's role; TokenNameTakenError if the name is taken."""
    account = existing_service_account(conn, org_id, account_id)
    return add_token(conn, org_id, account_id, name, hashed_key, account.role, expires)


def revoke_account_token(conn: Connection, org_id: int, account_id: int, token_id: int) -> bool:
    """Revoke a token of an existing service account; whether it had one with that id."""
    existing_service_account(conn, org_id, account_id)
    return revoke_token(conn, org_id, account_id, token_id)
