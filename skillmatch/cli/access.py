"""The ``skillmatch users``, ``tokens`` and ``audit`` commands: who may sign in, and the log of who read what."""

from __future__ import annotations

from typing import Annotated

import typer

from skillmatch.cli.common import database, echo_json, fail, token_store, user_id
from skillmatch.settings import get_settings

users_app = typer.Typer(help="Users of the service's own sign-in (consultant, jobseeker, admin).", no_args_is_help=True)
tokens_app = typer.Typer(help="Bearer tokens: random, stored hashed, revocable, with an expiry.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit log of searches, dossier views and exports.", no_args_is_help=True)


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="A unique user name.")],
    role: Annotated[str, typer.Option(help="consultant, jobseeker or admin.")],
    jobseeker_id: Annotated[str | None, typer.Option(help="The dossier a jobseeker owns.")] = None,
) -> None:
    """Create a user of the service's own sign-in.

    Example: skillmatch users add a.peeters --role consultant
    """
    from api.auth import Role, UserError

    if role not in Role.__members__:
        raise fail("--role must be consultant, jobseeker or admin")
    try:
        user = token_store().add_user(name, Role(role), jobseeker_id)
    except UserError as exc:
        raise fail(str(exc)) from exc
    typer.echo(f"Created user {user.id} {user.name!r} ({user.role.value}).")


@users_app.command("list")
def users_list() -> None:
    """List the users (JSON).

    Example: skillmatch users list
    """
    echo_json([u.__dict__ for u in token_store().users(limit=100_000)])


@users_app.command("disable")
def users_disable(user: Annotated[str, typer.Argument(help="User name or id.")]) -> None:
    """Disable a user: their tokens stop working at once.

    Example: skillmatch users disable a.peeters
    """
    store = token_store()
    store.set_active(user_id(store, user), False)
    typer.echo(f"Disabled {user}.")


@tokens_app.command("create")
def tokens_create(
    user: Annotated[str, typer.Argument(help="User name or id.")],
    days: Annotated[float | None, typer.Option(help="How long the token is valid (default: setting).")] = None,
    label: Annotated[str, typer.Option(help="What the token is for.")] = "",
) -> None:
    """Issue a token and print it (shown this once; the service keeps only its SHA-256).

    Example: skillmatch tokens create a.peeters --days 30 --label laptop
    """
    store = token_store()
    issued = store.issue(user_id(store, user), days=days or get_settings().token_days, label=label)
    typer.echo(issued.token)
    typer.echo(f"Token {issued.info.id}, valid until {issued.info.expires_at:%Y-%m-%d %H:%M} UTC.", err=True)


@tokens_app.command("list")
def tokens_list(user: Annotated[str | None, typer.Argument(help="User name or id (default: all).")] = None) -> None:
    """List tokens without their secrets (JSON).

    Example: skillmatch tokens list a.peeters
    """
    store = token_store()
    echo_json([t.__dict__ for t in store.tokens(user_id(store, user) if user else None)])


@tokens_app.command("revoke")
def tokens_revoke(token_id: Annotated[int, typer.Argument(help="The token's id (from tokens list).")]) -> None:
    """Revoke a token: it stops working at once.

    Example: skillmatch tokens revoke 12
    """
    if token_store().revoke(token_id) is None:
        raise fail(f"no token with id {token_id}")
    typer.echo(f"Revoked token {token_id}.")


@audit_app.command("purge")
def audit_purge(
    days: Annotated[int | None, typer.Option(help="Keep this many days (default: the retention setting).")] = None,
) -> None:
    """Delete audit log rows older than the retention period (default 183 days, about 6 months).

    Example: skillmatch audit purge
    """
    from datetime import UTC, datetime, timedelta

    from api.audit import AuditLog

    keep = days if days is not None else get_settings().audit_retention_days
    deleted = AuditLog(database()).purge(datetime.now(UTC) - timedelta(days=keep))
    typer.echo(f"Deleted {deleted:,} audit log rows older than {keep} days.")


__all__ = ["audit_app", "tokens_app", "users_app"]
