"""`screening users`, `screening keys` and `screening audit`: accounts, API keys, audit chain."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
import duckdb

from screening.cli.common import db_from, print_json
from screening.review.audit import verify
from screening.review.errors import ReviewError
from screening.review.schema import ensure_schema
from screening.review.users import Role, create_api_key, create_user

_ROLES = click.Choice([r.value for r in Role])


@contextmanager
def _review_db(ctx: click.Context) -> Iterator[duckdb.DuckDBPyConnection]:
    path = db_from(ctx)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        ensure_schema(con)
        yield con
    except ReviewError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        con.close()


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _read_password() -> str:
    if sys.stdin.isatty():
        return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))
    return sys.stdin.readline().rstrip("\r\n")


@click.group("users")
def users_group() -> None:
    """User accounts of the analyst pages (passwords are stored hashed)."""


@users_group.command("add")
@click.argument("name")
@click.option("--role", required=True, type=_ROLES, help="client, analyst, supervisor or admin.")
@click.option("--clearance", multiple=True, metavar="LIST_ID",
              help="A confidential list the user may see (repeat for several).")
@click.pass_context
def users_add(ctx: click.Context, name: str, role: str, clearance: tuple[str, ...]) -> None:
    """Add a user; the password is read from standard input."""
    password = _read_password()
    with _review_db(ctx) as con:
        user = create_user(con, name, role, password, clearance, actor=_actor())
    cleared = ", ".join(sorted(user.clearance)) or "none"
    click.echo(f"user {user.name} added with role {user.role} (clearance: {cleared})")


@click.group("keys")
def keys_group() -> None:
    """API keys for bank systems and scripts (stored hashed)."""


@keys_group.command("create")
@click.argument("name")
@click.option("--role", required=True, type=_ROLES, help="client, analyst, supervisor or admin.")
@click.option("--clearance", multiple=True, metavar="LIST_ID",
              help="A confidential list the key may see (repeat for several).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def keys_create(
    ctx: click.Context, name: str, role: str, clearance: tuple[str, ...], as_json: bool
) -> None:
    """Create an API key and print it once: it cannot be shown again."""
    with _review_db(ctx) as con:
        key = create_api_key(con, name, role, clearance, actor=_actor())
    if as_json:
        print_json({"key_id": key.key_id, "name": key.name, "role": key.role.value,
                    "clearance": sorted(key.clearance), "key": key.secret})
        return
    click.echo(key.secret)
    click.echo(f"key {key.key_id} for {key.name} (role {key.role}); store it now, it is not "
               "shown again", err=True)


@click.group("audit")
def audit_group() -> None:
    """The hash-chained audit trail."""


@audit_group.command("verify")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def audit_verify(ctx: click.Context, as_json: bool) -> None:
    """Recompute the audit chain; exit code 1 when an entry was altered or removed."""
    with _review_db(ctx) as con:
        result = verify(con)
    if as_json:
        print_json({"ok": result.ok, "checked": result.checked,
                    "first_bad_seq": result.first_bad_seq, "message": result.message})
    else:
        click.echo(result.message if result.ok else f"TAMPERED: {result.message}")
    if not result.ok:
        ctx.exit(1)
