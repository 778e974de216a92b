"""The ``skillmatch fairness``, ``rights`` and ``recruiting`` commands: a thin layer over the fairness services."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from skillmatch.cli.common import echo_json, fail, open_runtime

fairness_app = typer.Typer(help="The exposure audit (admin): audit-only import, runs, counterfactual check.")
rights_app = typer.Typer(help="Jobseekers' rights: the retention purge.", no_args_is_help=True)
recruiting_app = typer.Typer(help="Occupations that recruit: the shortage lists linked to ESCO.", no_args_is_help=True)
fairness_app.info.no_args_is_help = True


@fairness_app.command("import")
def exposure_import(
    path: Annotated[Path, typer.Argument(help="CSV: id, gender, age_band, nationality_group.")],
) -> None:
    """Import group attributes into the exposure audit's restricted table (nothing else is accepted).

    Example: skillmatch fairness import audit_attributes.csv
    """
    from matching.fairness import InvalidAttributeFile, read_attribute_csv

    if not path.exists():
        raise fail(f"{path} does not exist")
    runtime = open_runtime(progress=False)
    try:
        echo_json(runtime.fairness.exposure.import_rows(read_attribute_csv(path)).as_dict())
    except InvalidAttributeFile as exc:
        raise fail(str(exc)) from exc


@fairness_app.command("run")
def exposure_run(
    counterfactual: Annotated[bool, typer.Option(help="Also the counterfactual gender check (RBO).")] = False,
) -> None:
    """Run the exposure audit now on every open vacancy's list (engine and as shown) and keep the run.

    Example: skillmatch fairness run --counterfactual
    """
    runtime = open_runtime(progress=False)
    run = runtime.fairness.exposure_audit()
    out: dict[str, Any] = run.to_json()
    if counterfactual:
        out["counterfactual"] = runtime.fairness.counterfactual().to_json()
    echo_json(out)
    if run.alerts:
        typer.secho(f"{run.alerts} exposure alert(s): see the report above.", err=True, fg=typer.colors.YELLOW)


@fairness_app.command("runs")
def exposure_runs(limit: Annotated[int, typer.Option(help="How many runs.")] = 20) -> None:
    """The latest exposure audit runs, newest first.

    Example: skillmatch fairness runs --limit 5
    """
    echo_json(open_runtime(progress=False).fairness.exposure.runs(limit))


@rights_app.command("purge")
def rights_purge(dry_run: Annotated[bool, typer.Option(help="Only list the dossiers.")] = False) -> None:
    """Erase every dossier inactive for longer than the retention period (SKILLMATCH_RETENTION_DAYS).

    Example: skillmatch rights purge --dry-run
    """
    from api.audit_actions import AuditAction
    from skillmatch.cli.trail import cli_trail

    runtime = open_runtime(progress=False)
    purge = runtime.fairness.rights.purge_inactive(dry_run=dry_run)
    if not dry_run:
        record = cli_trail(runtime.db, why="retention")
        for jobseeker_id in purge.erased:
            record(AuditAction.erasure, jobseeker_id)
    echo_json(purge.as_dict())
    runtime.save()


@recruiting_app.command("link")
def recruiting_link(
    path: Annotated[Path | None, typer.Option("--list", help="Shortage list (TSV); default: the setting.")] = None,
) -> None:
    """Link a shortage list's titles to ESCO occupations; those below the threshold wait for review.

    Example: skillmatch recruiting link --list ../shared/lists/shortage_occupations_2026.tsv
    """
    try:
        echo_json(open_runtime(progress=False).fairness.link_shortage_list(path))
    except (FileNotFoundError, ValueError) as exc:
        raise fail(str(exc)) from exc


@recruiting_app.command("review")
def recruiting_review() -> None:
    """The titles that wait for review, with the linker's three best concepts.

    Example: skillmatch recruiting review
    """
    from matching.guidance import LinkStatus

    echo_json(open_runtime(progress=False).fairness.recruiting.rows(status=[LinkStatus.review]))


__all__ = ["fairness_app", "recruiting_app", "rights_app"]
