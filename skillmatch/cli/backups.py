"""The ``skillmatch backup`` commands: one consistent snapshot of the tables and the saved indexes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from skillmatch.cli.common import database, fail
from skillmatch.settings import get_settings

backup_app = typer.Typer(help="Backup and restore of the database and the saved indexes.", no_args_is_help=True)


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
        manifest = create_backup(database(), folder, index_dir=settings.indexes_dir if indexes else None)
    except BackupError as exc:
        raise fail(str(exc)) from exc
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
        done = restore_backup(database(), folder, index_dir=settings.indexes_dir)
    except BackupError as exc:
        raise fail(str(exc)) from exc
    typer.echo(f"Restored {done['rows']:,} rows of {len(done['tables'])} tables; indexes {done['indexes']}.")


__all__ = ["backup_app"]
