"""The ``skillmatch`` command: assembles the command groups, and starts the web service."""

from __future__ import annotations

from typing import Annotated

import typer

from skillmatch.cli.access import audit_app, tokens_app, users_app
from skillmatch.cli.backups import backup_app
from skillmatch.cli.esco import esco_app
from skillmatch.cli.fairness import fairness_app, recruiting_app, rights_app
from skillmatch.cli.matches import index_app, match_app, rematch
from skillmatch.cli.records import demo_app, ingest_app, quarantine_app

WORKER_HEALTHCHECK_SECONDS = 300
"""How long a worker of ``serve --workers N`` may leave the supervisor's health check unanswered."""

app = typer.Typer(help="skillmatch: ESCO-based matching of jobseekers and vacancies (FR/NL).", no_args_is_help=True)
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
app.command("rematch")(rematch)


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Processes serving on this port (default: SKILLMATCH_WORKERS, else one per core, capped by memory).",
        ),
    ] = None,
) -> None:
    """Start the web service (API and web pages), in one or several processes over one database.

    Example: skillmatch serve --port 8000 --workers 2
    """
    import contextlib
    import os
    import tempfile
    from pathlib import Path

    import uvicorn

    from skillmatch.balancing import BOARD_ENV, CORES_ENV, create_board
    from skillmatch.logs import configure_logging
    from skillmatch.serving import fork_workers_from_preloaded_server, prepare_database, worker_cores, workers_to_start
    from skillmatch.settings import get_settings

    configure_logging()
    settings = get_settings()
    count = workers_to_start(settings, workers)
    # The board of ``skillmatch.balancing`` lives in a private directory removed at the end (several workers only).
    board_dir = tempfile.TemporaryDirectory(prefix="skillmatch-serve-") if count > 1 else contextlib.nullcontext("")
    with board_dir as run_dir:
        if count > 1:
            prepare_database(settings)
            fork_workers_from_preloaded_server()
            # The workers spread the connections evenly (skillmatch.balancing); they inherit the board's name.
            os.environ[BOARD_ENV] = str(create_board(Path(run_dir) / "accept.board"))
            cores = worker_cores(count)
            if cores is not None:  # one core each
                os.environ[CORES_ENV] = ",".join(map(str, cores))
        typer.echo(f"serving on http://{host}:{port} with {count} worker{'s' if count > 1 else ''}", err=True)
        # The access log is the app's own (route templates, no query strings or ids): uvicorn's is off.
        uvicorn.run(
            "skillmatch.server:create_app",
            factory=True,
            host=host,
            port=port,
            workers=count,
            loop="skillmatch.balancing:BalancedLoop" if count > 1 else "auto",
            # A worker answers the supervisor's health check from a thread, which waits while start-up holds the
            # interpreter (reading the taxonomy snapshot, the indexes): the default 5 s would kill it while it
            # opens.
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
            access_log=False,
            log_config=None,
        )


def main() -> None:
    """Entry point of the ``skillmatch`` console script (the files it creates are private)."""
    from skillmatch.private_files import restrict_new_files, secure_data_dir
    from skillmatch.settings import get_settings

    restrict_new_files()
    secure_data_dir(get_settings().data_dir)
    app()


__all__ = ["app", "main"]
