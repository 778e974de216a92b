"""The ``skillmatch`` command line: a thin layer over the core packages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from skillmatch.settings import get_settings

app = typer.Typer(help="skillmatch: ESCO-based matching of jobseekers and vacancies (FR/NL).", no_args_is_help=True)
esco_app = typer.Typer(help="The ESCO taxonomy.", no_args_is_help=True)
app.add_typer(esco_app, name="esco")


def _fail(message: str) -> typer.Exit:
    typer.secho(f"Error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code=1)


@esco_app.command("load")
def esco_load(
    esco_dir: Annotated[
        Path | None,
        typer.Option("--esco-dir", help="ESCO CSV folder, official zip, or folder of zips (default: setting)."),
    ] = None,
    version: Annotated[str | None, typer.Option(help="ESCO version when the path does not state it.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Reload even when the same files are loaded.")] = False,
) -> None:
    """Load ESCO into the database (all or nothing; 'up to date' when the same files are loaded).

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
    typer.echo(json.dumps(release.model_dump(mode="json", exclude={"id"}), indent=2))


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Start the web service (API and web pages).

    Example: skillmatch serve --port 8000
    """
    import uvicorn

    uvicorn.run("api.main:create_app", factory=True, host=host, port=port)


def main() -> None:
    """Entry point of the ``skillmatch`` console script."""
    app()


__all__ = ["app", "main"]


if __name__ == "__main__":
    main()
