"""The data directory holds personal data (the SQLite database, the encoder cache of texts, the indexes): only
the service's own user may read it.

``restrict_new_files`` sets the process's umask to 077, so that every file the service or the command creates
(the database and its WAL, the encoder cache, indexes, backups) is 0600 and every folder 0700, whichever library
creates it. ``secure_data_dir`` brings a data directory made before (0644 files, 0755 folders) to the same modes.
Both run where the process starts: ``skillmatch.cli.main`` and ``skillmatch.server.create_app``.
"""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def restrict_new_files() -> int:
    """Make every file this process creates from now on private (umask 077); the previous umask."""
    return os.umask(0o077)


def secure_data_dir(path: Path) -> None:
    """Create the data directory (0700) if needed and make what it holds private (folders 0700, files 0600).

    Args:
        path: the data directory.
    """
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    path.chmod(DIR_MODE)
    for folder, dirs, files in os.walk(path):
        for name in dirs:
            (Path(folder) / name).chmod(DIR_MODE)
        for name in files:
            file = Path(folder) / name
            if not file.is_symlink():
                file.chmod(FILE_MODE)


__all__ = ["DIR_MODE", "FILE_MODE", "restrict_new_files", "secure_data_dir"]
