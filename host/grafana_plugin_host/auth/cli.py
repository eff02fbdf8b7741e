"""``grafana-plugin-host create-token``: a service account token straight from the database, for scripts.

Wire it into ``host.cli.COMMANDS`` as ``Command(HELP, add_create_token_arguments, run_create_token)``. The
token goes to stdout (only it), messages to stderr.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from typing import TextIO

from sqlalchemy import Connection

from grafana_plugin_host.config import Settings
from grafana_plugin_host.errors import ConfigError
from grafana_plugin_host.models import OrgRole
from grafana_plugin_host.store import identity as db
from grafana_plugin_host.store import make_engine, migrate, write_in

from ._tokens import generate_token, hash_token

_ROLES = ("Viewer", "Editor", "Admin")


@dataclass(frozen=True)
class NewToken:
    """A token created for a service account; ``key`` is the only copy of the secret."""

    service_account_id: int
    token_id: int
    key: str

    def __repr__(self) -> str:
        return f"NewToken(service_account_id={self.service_account_id}, token_id={self.token_id}, key='***')"


def _add(
    conn: Connection, org_id: int, account: str, role: OrgRole, name: str, hashed: str, expires: int | None
) -> tuple[int, int]:
    if db.get_org(conn, org_id) is None:
        raise ConfigError(f"org {org_id} does not exist")
    _, found = db.search_service_accounts(conn, org_id, account)
    existing = next((a for a in found if a.name == account), None)
    if existing is None:
        account_id = db.create_service_account(conn, org_id, account, role)
    else:
        account_id = existing.id
        db.set_member_role(conn, org_id, account_id, role)
    return account_id, db.add_token(conn, org_id, account_id, name, hashed, role, expires)


def create_token(
    settings: Settings,
    *,
    name: str,
    role: OrgRole = OrgRole.VIEWER,
    org_id: int = 1,
    service_account: str = "",
    seconds_to_live: int = 0,
) -> NewToken:
    """Create (or reuse) the service account ``service_account`` (default: ``name``) with ``role`` and a token.

    Raises ConfigError for a missing org or a token name the org already uses.
    """
    engine = make_engine(settings.sqlalchemy_url)
    try:
        migrate(engine)
        token = generate_token()
        expires = int(time.time()) + seconds_to_live if seconds_to_live > 0 else None
        try:
            account_id, token_id = write_in(
                engine, _add, org_id, service_account or name, role, name, hash_token(token), expires
            )
        except db.TokenNameTakenError:
            raise ConfigError(f"org {org_id} already has a token named {name!r}") from None
    finally:
        engine.dispose()
    return NewToken(account_id, token_id, str(token))


#: The subcommand's help line.
HELP = "create a service account token without the HTTP API (prints only the token)"


def add_create_token_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``create-token`` options to its subcommand parser."""
    parser.add_argument("--name", required=True, help="token name (unique in the org)")
    parser.add_argument(
        "--role", default="Viewer", choices=_ROLES, help="the service account's org role (default Viewer)"
    )
    parser.add_argument("--org-id", type=int, default=1, help="org of the service account (default 1)")
    parser.add_argument("--service-account", default="", help="service account name (default: the token name)")
    parser.add_argument("--seconds-to-live", type=int, default=0, help="expiry in seconds (default: never)")


def run_create_token(
    settings: Settings, args: argparse.Namespace, *, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Run ``create-token``: print the token and return 0, or print the error and return 1."""
    try:
        new = create_token(
            settings,
            name=args.name,
            role=OrgRole(args.role),
            org_id=args.org_id,
            service_account=args.service_account,
            seconds_to_live=args.seconds_to_live,
        )
    except ConfigError as exc:
        print(f"grafana-plugin-host: {exc}", file=err or sys.stderr)
        return 1
    print(new.key, file=out or sys.stdout)
    print(f"created token {new.token_id} for service account {new.service_account_id}", file=err or sys.stderr)
    return 0
