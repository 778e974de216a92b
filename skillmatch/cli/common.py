"""What every command group shares: the error exit, opening the runtime, JSON output, the user store."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import typer

from skillmatch.settings import get_settings

if TYPE_CHECKING:
    from skillmatch.runtime import Runtime


def fail(message: str) -> typer.Exit:
    """Print ``message`` as an error and return the exit (code 1) for the caller to raise."""
    typer.secho(f"Error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code=1)


def open_runtime(progress: bool = True) -> Runtime:
    """Open the service's runtime from the settings; a missing taxonomy or space is a clear error exit."""
    from esco_data import EscoError
    from matching.errors import MatchingError
    from skillmatch.runtime import Runtime

    try:
        return Runtime.open(get_settings(), progress=progress)
    except (EscoError, MatchingError) as exc:
        raise fail(str(exc)) from exc


def echo_json(data: Any) -> None:
    """Print ``data`` as indented JSON (UTF-8 kept as is)."""
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def database() -> Any:
    """The configured database's engine, its tables created when missing."""
    from skillmatch.db import make_engine
    from skillmatch.schema import create_tables

    engine = make_engine(get_settings().database_url)
    create_tables(engine)
    return engine


def token_store() -> Any:
    """The store of users and tokens on the configured database."""
    from api.auth import TokenStore
    from skillmatch.cli.trail import cli_trail

    db = database()
    return TokenStore(db, on_change=cli_trail(db))  # every change the command makes is in the audit log


def user_id(store: Any, user: str) -> int:
    """The id of a user given by name or id; an unknown one is an error exit."""
    found = store.user(int(user)) if user.isdigit() else store.user_by_name(user)
    if found is None:
        raise fail(f"no user {user!r}")
    return int(found.id)


__all__ = ["database", "echo_json", "fail", "open_runtime", "token_store", "user_id"]
