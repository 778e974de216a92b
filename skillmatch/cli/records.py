"""The ``skillmatch ingest``, ``quarantine`` and ``demo`` commands: records in, rejected records out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from skillmatch.cli.common import fail, open_runtime, token_store
from skillmatch.settings import REPO_ROOT, get_settings

if TYPE_CHECKING:
    from skillmatch.runtime import Runtime

ingest_app = typer.Typer(help="Batch ingestion of jobseekers and vacancies (JSON Lines or CSV).", no_args_is_help=True)
quarantine_app = typer.Typer(help="Records rejected at ingestion, with their reasons.", no_args_is_help=True)
demo_app = typer.Typer(help="The demo data set.", no_args_is_help=True)

DEMO_DIR = REPO_ROOT.parent / "shared" / "eval" / "matching-dev"


def _build_processes(asked: int | None) -> int:
    """Worker processes that build a batch's profiles: those asked for, else one per core as memory allows."""
    from skillmatch.serving import default_workers

    return asked if asked is not None else default_workers(get_settings().worker_memory_mb)


def _ingest(kind_name: str, path: Path, fmt: str, runtime: Runtime | None = None, workers: int | None = None) -> None:
    from ingestion.adapters import RecordFormat
    from ingestion.models import RecordKind
    from ingestion.readers import read_file

    if not path.exists():
        raise fail(f"{path} does not exist")
    try:
        record_format = RecordFormat(fmt)
    except ValueError as exc:
        raise fail(f"--format must be one of {', '.join(f.value for f in RecordFormat)}") from exc
    runtime = runtime or open_runtime()
    service = runtime.ingestion
    try:
        records = list(read_file(path))
    except (ValueError, OSError) as exc:
        raise fail(str(exc)) from exc
    building = runtime.building_in_processes(_build_processes(workers) if service.pool is None else 1)
    with building:
        summary = service.ingest(
            RecordKind(kind_name), records, source=str(path), fmt=record_format, progress=True, total=len(records)
        )
    runtime.save()
    typer.echo(
        f"{summary.total:,} {_PLURAL[kind_name]} read in {summary.seconds:.1f} s: {summary.accepted:,} accepted, "
        f"{summary.updated:,} updated, {summary.unchanged:,} unchanged, {summary.quarantined:,} quarantined"
        + (f" ({summary.already_quarantined:,} already in quarantine)" if summary.already_quarantined else "")
        + "."
    )
    for warning in summary.warnings[:20]:
        typer.echo(f"Warning: {warning}")
    if len(summary.warnings) > 20:
        typer.echo(f"... and {len(summary.warnings) - 20:,} more warnings.")
    if summary.quarantined:
        typer.echo("See the rejected records and their reasons: skillmatch quarantine export")


_PLURAL = {"jobseeker": "jobseekers", "vacancy": "vacancies"}
FormatOption = Annotated[str, typer.Option("--format", help="Record layout: native or matching-dev.")]
WorkersOption = Annotated[
    int | None,
    typer.Option(
        "--workers",
        min=1,
        help="Processes that link the records (default: one per core, as memory allows; 1: this process only).",
    ),
]


@ingest_app.command("jobseekers")
def ingest_jobseekers(
    file: Annotated[Path, typer.Argument(help="A .jsonl or .csv file.")],
    fmt: FormatOption = "native",
    workers: WorkersOption = None,
) -> None:
    """Ingest jobseekers: bad records go to the quarantine with reasons, the rest go in (idempotent).

    Example: skillmatch ingest jobseekers dossiers.jsonl
    """
    _ingest("jobseeker", file, fmt, workers=workers)


@ingest_app.command("vacancies")
def ingest_vacancies(
    file: Annotated[Path, typer.Argument(help="A .jsonl or .csv file.")],
    fmt: FormatOption = "native",
    workers: WorkersOption = None,
) -> None:
    """Ingest vacancies (screened for discriminatory wording; flagged ones are kept with their flags).

    Example: skillmatch ingest vacancies vacancies.csv
    """
    _ingest("vacancy", file, fmt, workers=workers)


@quarantine_app.command("export")
def quarantine_export(
    out: Annotated[
        Path | None, typer.Option("--out", help="File to write (.jsonl, or .csv for spreadsheets); default: stdout.")
    ] = None,
    kind: Annotated[str | None, typer.Option(help="jobseeker or vacancy.")] = None,
    all_rows: Annotated[bool, typer.Option("--all", help="Include records resolved by a later version.")] = False,
) -> None:
    """Export quarantined records with the field and reason of each rejection, as JSON Lines or CSV.

    Example: skillmatch quarantine export --out rejected.jsonl
    """
    from ingestion.csv_export import to_csv
    from ingestion.quarantine import QUARANTINE_COLUMNS, export_quarantine
    from skillmatch.db import make_engine
    from skillmatch.schema import create_tables

    engine = make_engine(get_settings().database_url)
    create_tables(engine)
    lines = export_quarantine(engine, kind=kind, include_resolved=all_rows)
    if out is not None and out.suffix.lower() == ".csv":
        text = to_csv(lines, QUARANTINE_COLUMNS)  # formula injection neutralised
    else:
        text = "".join(json.dumps(line, ensure_ascii=False, default=str) + "\n" for line in lines)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"Wrote {len(lines):,} quarantined records to {out}.")


@demo_app.command("load")
def demo_load(
    data: Annotated[Path, typer.Option("--data", help="A matching-dev style folder.")] = DEMO_DIR,
    workers: WorkersOption = None,
) -> None:
    """Ingest the demo data set (600 jobseekers and 600 vacancies, read from ../shared, never copied).

    Example: skillmatch demo load
    """
    runtime = open_runtime()
    with runtime.building_in_processes(_build_processes(workers)):  # one set of workers for both files
        for kind, name in (("jobseeker", "jobseekers.jsonl"), ("vacancy", "vacancies.jsonl")):
            _ingest(kind, data / name, "matching-dev", runtime)


DEMO_USERS = (("demo-consultant", "consultant", None), ("demo-jobseeker", "jobseeker", "J00001"),
              ("demo-admin", "admin", None))  # fmt: skip
"""The demo's users: one per role (the jobseeker owns the first demo dossier)."""


@demo_app.command("tokens")
def demo_tokens(
    days: Annotated[float, typer.Option(help="How long the tokens are valid.")] = 7,
) -> None:
    """Create the demo users when missing and print a new token for each role (consultant, jobseeker, admin).

    Example: skillmatch demo tokens
    """
    from api.auth import Role, UserError

    store = token_store()
    for name, role, dossier in DEMO_USERS:
        try:
            user = store.user_by_name(name) or store.add_user(name, Role(role), dossier)
        except UserError as exc:  # a jobseeker user owns a stored dossier
            raise fail(f"{exc}: run `skillmatch demo load` first") from exc
        issued = store.issue(user.id, days=days, label="demo")
        typer.echo(f"{role:<11} {issued.token}")


__all__ = ["DEMO_USERS", "demo_app", "ingest_app", "quarantine_app"]
