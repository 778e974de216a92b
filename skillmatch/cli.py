"""The ``skillmatch`` command line: a thin layer over the core packages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from skillmatch.cli_fairness import fairness_app, recruiting_app, rights_app
from skillmatch.settings import REPO_ROOT, get_settings

if TYPE_CHECKING:
    from skillmatch.runtime import Runtime

app = typer.Typer(help="skillmatch: ESCO-based matching of jobseekers and vacancies (FR/NL).", no_args_is_help=True)
esco_app = typer.Typer(help="The ESCO taxonomy and its concept space.", no_args_is_help=True)
ingest_app = typer.Typer(help="Batch ingestion of jobseekers and vacancies (JSON Lines or CSV).", no_args_is_help=True)
match_app = typer.Typer(help="Ranked, explained matches in both directions.", no_args_is_help=True)
index_app = typer.Typer(help="The profile indexes.", no_args_is_help=True)
quarantine_app = typer.Typer(help="Records rejected at ingestion, with their reasons.", no_args_is_help=True)
demo_app = typer.Typer(help="The demo data set.", no_args_is_help=True)
users_app = typer.Typer(help="Users of the service's own sign-in (consultant, jobseeker, admin).", no_args_is_help=True)
tokens_app = typer.Typer(help="Bearer tokens: random, stored hashed, revocable, with an expiry.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit log of searches, dossier views and exports.", no_args_is_help=True)
backup_app = typer.Typer(help="Backup and restore of the database and the saved indexes.", no_args_is_help=True)
app.add_typer(esco_app, name="esco")
app.add_typer(ingest_app, name="ingest")
app.add_typer(match_app, name="match")
app.add_typer(index_app, name="index")
app.add_typer(quarantine_app, name="quarantine")
app.add_typer(demo_app, name="demo")
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.add_typer(audit_app, name="audit")
app.add_typer(backup_app, name="backup")
app.add_typer(fairness_app, name="fairness")
app.add_typer(rights_app, name="rights")
app.add_typer(recruiting_app, name="recruiting")

DEMO_DIR = REPO_ROOT.parent / "shared" / "eval" / "matching-dev"


def _fail(message: str) -> typer.Exit:
    typer.secho(f"Error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code=1)


def _runtime(progress: bool = True) -> Runtime:
    from esco_data import EscoError
    from matching.errors import MatchingError
    from skillmatch.runtime import Runtime

    try:
        return Runtime.open(get_settings(), progress=progress)
    except (EscoError, MatchingError) as exc:
        raise _fail(str(exc)) from exc


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


# -- esco -------------------------------------------------------------------------------------------------


@esco_app.command("load")
def esco_load(
    esco_dir: Annotated[
        Path | None,
        typer.Option("--esco-dir", help="ESCO CSV folder, official zip, or folder of zips (default: setting)."),
    ] = None,
    version: Annotated[str | None, typer.Option(help="ESCO version when the path does not state it.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Reload even when the same files are loaded.")] = False,
    taxonomy_only: Annotated[bool, typer.Option("--taxonomy-only", help="Do not build the concept space.")] = False,
) -> None:
    """Load ESCO into the database and build (or reuse) the concept space.

    All or nothing; says 'up to date' when the same files are already loaded.

    Example: skillmatch esco load --esco-dir ../shared/esco/v1.1.1
    """
    from esco_data import EscoError, load_esco
    from skillmatch.db import make_engine

    settings = get_settings()
    path = esco_dir if esco_dir is not None else settings.esco_dir
    engine = make_engine(settings.database_url)
    try:
        report = load_esco(engine, path, version=version, force=force, progress=True)
    except EscoError as exc:
        raise _fail(str(exc)) from exc
    if report.status == "up_to_date":
        typer.echo(f"ESCO {report.version} is up to date ({report.checksum[:12]}); nothing changed.")
    else:
        c = report.counts
        typer.echo(
            f"Loaded ESCO {report.version} in {report.seconds:.1f} s: {c['skills']:,} skills, "
            f"{c['occupations']:,} occupations, {c['isco_groups']:,} ISCO groups, "
            f"{c['skill_groups']:,} skill groups, "
            f"{c['occupation_skill_relations']:,} occupation-skill relations."
        )
        labelled = ", ".join(
            f"{key.removeprefix('skills_labelled_')}: {value:,}"
            for key, value in c.items()
            if key.startswith("skills_labelled_")
        )
        typer.echo(f"Skills with a label of their own per language: {labelled}.")
        for kind, count in sorted(report.skipped.items()):
            typer.echo(f"Skipped {count:,} {kind.replace('_', ' ')} rows that reference a concept no file defines.")
    if taxonomy_only:
        return
    runtime = _runtime()
    r = runtime.report
    indexes = ", ".join(f"{kind} {outcome}" for kind, outcome in r["profile_indexes"].items())
    typer.echo(
        f"Concept space {r['concept_space']} ({r['concepts']:,} concepts, {r['labels']:,} labels), "
        f"linker indexes {r['linker_indexes']}, profile indexes: {indexes}; in {r['seconds']:.1f} s."
    )
    runtime.save()


@esco_app.command("upgrade")
def esco_upgrade(
    esco_dir: Annotated[Path, typer.Argument(help="The newer release: CSV folder, official zip, or folder of zips.")],
    replacements: Annotated[
        Path | None, typer.Option(help="CSV old_uri,new_uri: the concepts that replace obsolete ones.")
    ] = None,
    rematch: Annotated[bool, typer.Option(help="Start a full rematch once the records are linked again.")] = True,
) -> None:
    """Upgrade ESCO: load the newer release, follow obsolete concepts to their replacements in stored records
    (or keep their old label as text), link every record again, rebuild the indexes, start a rematch; prints
    the report as JSON.

    Example: skillmatch esco upgrade ../esco/v1.2.0 --replacements replaced_by.csv
    """
    from esco_data import EscoError
    from skillmatch.esco_upgrade import EscoUpgradeError, read_replacements, upgrade_esco

    try:
        followed = read_replacements(replacements) if replacements is not None else {}
        report = upgrade_esco(
            get_settings(), esco_dir, replacements=followed, rematch={} if rematch else None, progress=True
        )
    except (EscoError, EscoUpgradeError, OSError) as exc:
        raise _fail(str(exc)) from exc
    _echo_json(report)


@esco_app.command("info")
def esco_info() -> None:
    """Show the loaded ESCO release as JSON (version, checksum, counts).

    Example: skillmatch esco info
    """
    from esco_data import current_release
    from skillmatch.db import make_engine

    release = current_release(make_engine(get_settings().database_url))
    if release is None:
        raise _fail("no ESCO taxonomy is loaded: run `skillmatch esco load`")
    _echo_json(release.model_dump(mode="json", exclude={"id"}))


@esco_app.command("link")
def esco_link(
    text: Annotated[str, typer.Argument(help="A job title, a skill phrase or a longer text.")],
    kind: Annotated[str, typer.Option(help="skill or occupation.")] = "skill",
    k: Annotated[int, typer.Option("-k", help="How many concepts.")] = 5,
    lang: Annotated[str, typer.Option(help="Language of the labels shown.")] = "fr",
    extract: Annotated[bool, typer.Option("--extract", help="Find several skills in a longer text.")] = False,
) -> None:
    """Link text to ESCO concepts (ranked, with score and the label that matched).

    Example: skillmatch esco link "boulanger (h/f/x)" --kind occupation
    """
    if kind not in ("skill", "occupation"):
        raise _fail("--kind must be skill or occupation")
    runtime = _runtime()
    tx = runtime.taxonomy
    if extract:
        found = runtime.linker.extract(text, kind)  # type: ignore[arg-type]
        _echo_json(
            [
                {
                    "uri": c.uri,
                    "label": tx.label(c.uri, lang).text,
                    "score": round(c.score, 4),
                    "span": [c.start, c.end],
                    "source": c.source,
                }
                for c in found
            ]
        )
        return
    linked = runtime.linker.link(text, kind, k=k)  # type: ignore[arg-type]
    _echo_json(
        [
            {"uri": c.uri, "label": tx.label(c.uri, lang).text, "matched_label": c.label, "score": round(c.score, 4)}
            for c in linked
        ]
    )


# -- ingestion --------------------------------------------------------------------------------------------


def _ingest(kind_name: str, path: Path, fmt: str, runtime: Runtime | None = None) -> None:
    from ingestion.adapters import RecordFormat
    from ingestion.models import RecordKind
    from ingestion.readers import read_file

    if not path.exists():
        raise _fail(f"{path} does not exist")
    try:
        record_format = RecordFormat(fmt)
    except ValueError as exc:
        raise _fail(f"--format must be one of {', '.join(f.value for f in RecordFormat)}") from exc
    runtime = runtime or _runtime()
    service = runtime.ingestion
    try:
        records = list(read_file(path))
    except (ValueError, OSError) as exc:
        raise _fail(str(exc)) from exc
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


@ingest_app.command("jobseekers")
def ingest_jobseekers(
    file: Annotated[Path, typer.Argument(help="A .jsonl or .csv file.")], fmt: FormatOption = "native"
) -> None:
    """Ingest jobseekers: bad records go to the quarantine with reasons, the rest go in (idempotent).

    Example: skillmatch ingest jobseekers dossiers.jsonl
    """
    _ingest("jobseeker", file, fmt)


@ingest_app.command("vacancies")
def ingest_vacancies(
    file: Annotated[Path, typer.Argument(help="A .jsonl or .csv file.")], fmt: FormatOption = "native"
) -> None:
    """Ingest vacancies (screened for discriminatory wording; flagged ones are kept with their flags).

    Example: skillmatch ingest vacancies vacancies.csv
    """
    _ingest("vacancy", file, fmt)


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


# -- matching ---------------------------------------------------------------------------------------------


def _matches(kind: str, profile_id: str, k: int, lang: str | None) -> None:
    from matching.errors import MatchingError
    from matching.profiles import ProfileKind

    runtime = _runtime(progress=False)
    query_kind = ProfileKind.vacancy if kind == "candidates" else ProfileKind.jobseeker
    try:
        matches = runtime.engine.match(query_kind, profile_id, k, None, lang)
    except MatchingError as exc:
        raise _fail(str(exc)) from exc
    _echo_json([m.to_json() for m in matches])


@match_app.command("candidates")
def match_candidates(
    vacancy_id: Annotated[str, typer.Argument(help="The vacancy's id.")],
    k: Annotated[int, typer.Option("-k", help="How many jobseekers.")] = 10,
    lang: Annotated[str | None, typer.Option(help="Reader's language (default: the vacancy's).")] = None,
) -> None:
    """The best jobseekers for a vacancy, with score components and explanations (JSON).

    Example: skillmatch match candidates V00001 -k 5
    """
    _matches("candidates", vacancy_id, k, lang)


@match_app.command("vacancies")
def match_vacancies(
    jobseeker_id: Annotated[str, typer.Argument(help="The jobseeker's id.")],
    k: Annotated[int, typer.Option("-k", help="How many vacancies.")] = 10,
    lang: Annotated[str | None, typer.Option(help="Reader's language (default: the jobseeker's).")] = None,
) -> None:
    """The vacancies that suit a jobseeker best, with what matches and what is missing (JSON).

    Example: skillmatch match vacancies J00001 --lang nl
    """
    _matches("vacancies", jobseeker_id, k, lang)


@index_app.command("rebuild")
def index_rebuild() -> None:
    """Rebuild both profile indexes from the stored profiles (drops tombstones), then save them.

    Example: skillmatch index rebuild
    """
    from matching.profiles import ProfileKind

    runtime = _runtime()
    for kind in ProfileKind:
        runtime.writer.rebuild(kind)
    runtime.save()
    _echo_json(runtime.engine.stats())


@index_app.command("stats")
def index_stats() -> None:
    """Profiles, index types and tombstones per kind (JSON).

    Example: skillmatch index stats
    """
    _echo_json(_runtime(progress=False).engine.stats())


@demo_app.command("load")
def demo_load(
    data: Annotated[Path, typer.Option("--data", help="A matching-dev style folder.")] = DEMO_DIR,
) -> None:
    """Ingest the demo data set (600 jobseekers and 600 vacancies, read from ../shared, never copied).

    Example: skillmatch demo load
    """
    runtime = _runtime()
    for kind, name in (("jobseeker", "jobseekers.jsonl"), ("vacancy", "vacancies.jsonl")):
        _ingest(kind, data / name, "matching-dev", runtime)


@app.command("rematch")
def rematch(
    all_lists: Annotated[bool, typer.Option("--all", help="Compute every list, not only those changes reach.")] = False,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Address of an existing Dask scheduler (tcp://host:8786).")
    ] = None,
    top: Annotated[int | None, typer.Option("--top", min=1, max=200, help="Length of every list (default 20).")] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=0, help="Workers of the local Dask cluster (0: one per core).")
    ] = None,
    chunk_size: Annotated[int | None, typer.Option("--chunk-size", min=1, help="Lists per chunk.")] = None,
    send: Annotated[bool, typer.Option("--send/--no-send", help="Send the outbox when SMTP is configured.")] = True,
) -> None:
    """Rematch in bulk, both ways: candidates per open vacancy and vacancies per active jobseeker.

    By default only the lists that changes since the last successful run can reach (records new, changed,
    deactivated or past their closing date); a run stopped at any point resumes at its last committed chunk.
    New matches go to the outbox (opted-in jobseekers, vacancies' consultants) and out by e-mail.

    Example: skillmatch rematch --top 20 --workers 2
    """
    from tqdm import tqdm

    from esco_data import EscoError
    from matching.errors import MatchingError
    from skillmatch.rematch import RematchBusy, RematchFailed
    from skillmatch.rematch import rematch as run

    bar: dict[str, Any] = {}

    def progress(done: int, total: int, _changed: object) -> None:
        if "bar" not in bar:
            bar["bar"] = tqdm(total=total, desc="rematch", unit="chunk", dynamic_ncols=True)
        bar["bar"].n = done
        bar["bar"].refresh()

    def say(line: str) -> None:
        typer.echo(line, err=True)

    try:
        report = run(
            get_settings(),
            full=all_lists,
            top=top,
            scheduler=scheduler,
            workers=workers,
            chunk_size=chunk_size,
            send=send,
            progress=progress,
            say=say,
        )
    except RematchBusy as exc:
        raise _fail(str(exc)) from exc
    except (EscoError, MatchingError, RematchFailed) as exc:
        raise _fail(str(exc)) from exc
    except Exception as exc:
        raise _fail(
            f"the rematch failed ({type(exc).__name__}: {exc}); the chunks committed so far are kept and the "
            "next run resumes after them"
        ) from exc
    finally:
        if "bar" in bar:
            bar["bar"].close()
    run_info = report.outcome.run
    diff = run_info.counts.get("diff", {})
    typer.echo(
        f"Run {run_info.id} ({run_info.mode}{', resumed' if report.outcome.resumed else ''}) succeeded in "
        f"{report.seconds:.1f} s on {report.workers} workers: {diff.get('lists', 0):,} lists computed, "
        f"{diff.get('removed_lists', 0):,} removed; {diff.get('new', 0):,} new matches, "
        f"{diff.get('dropped', 0):,} dropped, {diff.get('changed', 0):,} with a changed score."
    )
    if report.sent is not None:
        typer.echo(f"Notifications: {report.sent.sent:,} sent, {report.sent.failed:,} failed.")
    elif report.notifications:
        typer.echo(f"{report.notifications:,} notifications wait in the outbox (SMTP is not configured).")


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

    store = _token_store()
    for name, role, dossier in DEMO_USERS:
        try:
            user = store.user_by_name(name) or store.add_user(name, Role(role), dossier)
        except UserError as exc:  # a jobseeker user owns a stored dossier
            raise _fail(f"{exc}: run `skillmatch demo load` first") from exc
        issued = store.issue(user.id, days=days, label="demo")
        typer.echo(f"{role:<11} {issued.token}")


# -- users, tokens and the audit log ----------------------------------------------------------------------


def _database() -> Any:
    from skillmatch.db import make_engine
    from skillmatch.schema import create_tables

    engine = make_engine(get_settings().database_url)
    create_tables(engine)
    return engine


def _token_store() -> Any:
    from api.auth import TokenStore
    from skillmatch.cli_audit import cli_trail

    db = _database()
    return TokenStore(db, on_change=cli_trail(db))  # every change the command makes is in the audit log


def _user_id(store: Any, user: str) -> int:
    found = store.user(int(user)) if user.isdigit() else store.user_by_name(user)
    if found is None:
        raise _fail(f"no user {user!r}")
    return int(found.id)


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
        raise _fail("--role must be consultant, jobseeker or admin")
    try:
        user = _token_store().add_user(name, Role(role), jobseeker_id)
    except UserError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(f"Created user {user.id} {user.name!r} ({user.role.value}).")


@users_app.command("list")
def users_list() -> None:
    """List the users (JSON).

    Example: skillmatch users list
    """
    _echo_json([u.__dict__ for u in _token_store().users(limit=100_000)])


@users_app.command("disable")
def users_disable(user: Annotated[str, typer.Argument(help="User name or id.")]) -> None:
    """Disable a user: their tokens stop working at once.

    Example: skillmatch users disable a.peeters
    """
    store = _token_store()
    store.set_active(_user_id(store, user), False)
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
    store = _token_store()
    issued = store.issue(_user_id(store, user), days=days or get_settings().token_days, label=label)
    typer.echo(issued.token)
    typer.echo(f"Token {issued.info.id}, valid until {issued.info.expires_at:%Y-%m-%d %H:%M} UTC.", err=True)


@tokens_app.command("list")
def tokens_list(user: Annotated[str | None, typer.Argument(help="User name or id (default: all).")] = None) -> None:
    """List tokens without their secrets (JSON).

    Example: skillmatch tokens list a.peeters
    """
    store = _token_store()
    _echo_json([t.__dict__ for t in store.tokens(_user_id(store, user) if user else None)])


@tokens_app.command("revoke")
def tokens_revoke(token_id: Annotated[int, typer.Argument(help="The token's id (from tokens list).")]) -> None:
    """Revoke a token: it stops working at once.

    Example: skillmatch tokens revoke 12
    """
    if _token_store().revoke(token_id) is None:
        raise _fail(f"no token with id {token_id}")
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
    deleted = AuditLog(_database()).purge(datetime.now(UTC) - timedelta(days=keep))
    typer.echo(f"Deleted {deleted:,} audit log rows older than {keep} days.")


@backup_app.command("create")
def backup_create(
    folder: Annotated[Path, typer.Argument(help="A new folder for the backup.")],
    indexes: Annotated[bool, typer.Option(help="Copy the saved profile indexes too.")] = True,
) -> None:
    """Back up every table (one consistent snapshot, also while the service runs) and the saved indexes.

    Example: skillmatch backup create /backups/skillmatch-2026-12-01
    """
    from skillmatch.backup import BackupError, create_backup

    settings = get_settings()
    try:
        manifest = create_backup(_database(), folder, index_dir=settings.indexes_dir if indexes else None)
    except BackupError as exc:
        raise _fail(str(exc)) from exc
    rows = sum(t["rows"] for t in manifest["tables"].values())
    typer.echo(
        f"Backed up {rows:,} rows of {len(manifest['tables'])} tables into {folder}; indexes {manifest['indexes']}."
    )


@backup_app.command("restore")
def backup_restore(
    folder: Annotated[Path, typer.Argument(help="The backup folder.")],
) -> None:
    """Restore a backup into the configured (empty) database and put its indexes back; start the service after.

    Example: skillmatch backup restore /backups/skillmatch-2026-12-01 (SKILLMATCH_DATABASE_URL names the empty database)
    """
    from skillmatch.backup import BackupError, restore_backup

    settings = get_settings()
    try:
        done = restore_backup(_database(), folder, index_dir=settings.indexes_dir)
    except BackupError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(f"Restored {done['rows']:,} rows of {len(done['tables'])} tables; indexes {done['indexes']}.")


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Start the web service (API and web pages).

    Example: skillmatch serve --port 8000
    """
    import uvicorn

    from skillmatch.logs import configure_logging

    configure_logging()
    # The access log is the app's own (route templates, no query strings or ids): uvicorn's is off.
    uvicorn.run("skillmatch.server:create_app", factory=True, host=host, port=port, access_log=False, log_config=None)


def main() -> None:
    """Entry point of the ``skillmatch`` console script (the files it creates are private)."""
    from skillmatch.private_files import restrict_new_files, secure_data_dir

    restrict_new_files()
    secure_data_dir(get_settings().data_dir)
    app()


__all__ = ["app", "main"]


if __name__ == "__main__":
    main()
