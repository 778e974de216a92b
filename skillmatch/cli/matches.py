"""The ``skillmatch match``, ``index`` and ``rematch`` commands: ranked lists one at a time or in bulk."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from skillmatch.cli.common import echo_json, fail, open_runtime
from skillmatch.settings import get_settings

match_app = typer.Typer(help="Ranked, explained matches in both directions.", no_args_is_help=True)
index_app = typer.Typer(help="The profile indexes.", no_args_is_help=True)


def _matches(kind: str, profile_id: str, k: int, lang: str | None) -> None:
    from matching.errors import MatchingError
    from matching.profiles import ProfileKind

    runtime = open_runtime(progress=False)
    query_kind = ProfileKind.vacancy if kind == "candidates" else ProfileKind.jobseeker
    try:
        matches = runtime.engine.match(query_kind, profile_id, k, None, lang)
    except MatchingError as exc:
        raise fail(str(exc)) from exc
    echo_json([m.to_json() for m in matches])


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

    runtime = open_runtime()
    for kind in ProfileKind:
        runtime.writer.rebuild(kind)
    runtime.save()
    echo_json(runtime.engine.stats())


@index_app.command("stats")
def index_stats() -> None:
    """Profiles, index types and tombstones per kind (JSON).

    Example: skillmatch index stats
    """
    echo_json(open_runtime(progress=False).engine.stats())


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
            freeze_opened=True,
        )
    except RematchBusy as exc:
        raise fail(str(exc)) from exc
    except (EscoError, MatchingError, RematchFailed) as exc:
        raise fail(str(exc)) from exc
    except Exception as exc:
        raise fail(
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
        f"{report.seconds:.1f} s {f'on {report.workers} workers' if report.workers else 'in one process'}: "
        f"{diff.get('lists', 0):,} lists computed, {diff.get('patched', 0):,} patched, "
        f"{diff.get('removed_lists', 0):,} removed; {diff.get('new', 0):,} new matches, "
        f"{diff.get('dropped', 0):,} dropped, {diff.get('changed', 0):,} with a changed score."
    )
    if report.sent is not None:
        typer.echo(f"Notifications: {report.sent.sent:,} sent, {report.sent.failed:,} failed.")
    elif report.notifications:
        typer.echo(f"{report.notifications:,} notifications wait in the outbox (SMTP is not configured).")


__all__ = ["index_app", "match_app", "rematch"]
