"""The ``skillmatch fairness``, ``rights`` and ``recruiting`` commands: a thin layer over the fairness services."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from skillmatch.runtime import Runtime

fairness_app = typer.Typer(help="The exposure audit (admin): audit-only import, runs, counterfactual check.")
rights_app = typer.Typer(help="Jobseekers' rights: the retention purge.", no_args_is_help=True)
recruiting_app = typer.Typer(help="Occupations that recruit: the shortage lists linked to ESCO.", no_args_is_help=True)
fairness_app.info.no_args_is_help = True


def _runtime() -> Runtime:
    from skillmatch.cli import _runtime as open_runtime

    return open_runtime(progress=False)


def _echo(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def _fail(message: str) -> typer.Exit:
    typer.secho(f"Error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code=1)


@fairness_app.command("import")
def audit_import(path: Annotated[Path, typer.Argument(help="CSV: id, gender, age_band, nationality_group.")]) -> None:
    """Import audit attributes into the restricted audit table (nothing else is accepted).

    Example: skillmatch fairness import audit_attributes.csv
    """
    from matching.fairness import InvalidAuditFile, read_audit_csv

    if not path.exists():
        raise _fail(f"{path} does not exist")
    runtime = _runtime()
    try:
        _echo(runtime.fairness.audit.import_rows(read_audit_csv(path)).as_dict())
    except InvalidAuditFile as exc:
        raise _fail(str(exc)) from exc


@fairness_app.command("run")
def audit_run(
    counterfactual: Annotated[bool, typer.Option(help="Also the counterfactual gender check (RBO).")] = False,
) -> None:
    """Run the exposure audit now on every open vacancy's list (engine and as shown) and keep the run.

    Example: skillmatch fairness run --counterfactual
    """
    runtime = _runtime()
    run = runtime.fairness.exposure_audit()
    out: dict[str, Any] = run.to_json()
    if counterfactual:
        out["counterfactual"] = runtime.fairness.counterfactual().to_json()
    _echo(out)
    if run.alerts:
        typer.secho(f"{run.alerts} exposure alert(s): see the report above.", err=True, fg=typer.colors.YELLOW)


@fairness_app.command("runs")
def audit_runs(limit: Annotated[int, typer.Option(help="How many runs.")] = 20) -> None:
    """The latest audit runs, newest first.

    Example: skillmatch fairness runs --limit 5
    """
    _echo(_runtime().fairness.audit.runs(limit))


@rights_app.command("purge")
def rights_purge(dry_run: Annotated[bool, typer.Option(help="Only list the dossiers.")] = False) -> None:
    """Erase every dossier inactive for longer than the retention period (SKILLMATCH_RETENTION_DAYS).

    Example: skillmatch rights purge --dry-run
    """
    from api.audit_actions import AuditAction
    from skillmatch.cli_audit import cli_trail

    runtime = _runtime()
    purge = runtime.fairness.rights.purge_inactive(dry_run=dry_run)
    if not dry_run:
        record = cli_trail(runtime.db, why="retention")
        for jobseeker_id in purge.erased:
            record(AuditAction.erasure, jobseeker_id)
    _echo(purge.as_dict())
    runtime.save()


@recruiting_app.command("link")
def recruiting_link(
    path: Annotated[Path | None, typer.Option("--list", help="Shortage list (TSV); default: the setting.")] = None,
) -> None:
    """Link a shortage list's titles to ESCO occupations; those below the threshold wait for review.

    Example: skillmatch recruiting link --list ../shared/lists/shortage_occupations_2026.tsv
    """
    try:
        _echo(_runtime().fairness.link_shortage_list(path))
    except (FileNotFoundError, ValueError) as exc:
        raise _fail(str(exc)) from exc


@recruiting_app.command("review")
def recruiting_review() -> None:
    """The titles that wait for review, with the linker's three best concepts.

    Example: skillmatch recruiting review
    """
    from matching.guidance import LinkStatus

    _echo(_runtime().fairness.recruiting.rows(status=[LinkStatus.review]))


__all__ = ["fairness_app", "recruiting_app", "rights_app"]
