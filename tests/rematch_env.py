"""Scratch data directories for the rematch tests: the ESCO slice, the session's concept space, some profiles."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from esco_data import load_esco
from matching.profiles import Profile, ProfileStore
from skillmatch.db import make_engine
from skillmatch.schema import create_tables
from skillmatch.settings import Settings


@dataclass
class Env:
    """One data directory and its database."""

    root: Path
    settings: Settings
    db: Engine

    @property
    def db_path(self) -> Path:
        """The SQLite file."""
        return self.root / "rematch.db"

    def environ(self) -> dict[str, str]:
        """The environment a ``skillmatch`` subprocess needs to use this directory."""
        return {
            "SKILLMATCH_DATA_DIR": str(self.settings.data_dir),
            "SKILLMATCH_DATABASE_URL": self.settings.database_url,
            "SKILLMATCH_INDEX_DIR": str(self.settings.indexes_dir),
            "SKILLMATCH_REMATCH_DASHBOARD_ADDRESS": "127.0.0.1:0",
        }

    def copy(self, root: Path) -> Env:
        """An independent copy of the database (same profiles, runs and lists) in a new directory."""
        out = make_env(root, self.settings.data_dir / "concept_space", esco_dir=None)
        with self.db.connect() as conn:
            conn.execute(text("PRAGMA wal_checkpoint(FULL)"))
        out.db.dispose()
        source, target = sqlite3.connect(self.db_path), sqlite3.connect(out.db_path)
        with target:
            source.backup(target)
        source.close()
        target.close()
        return out


def make_env(root: Path, concept_space: Path, esco_dir: Path | None, profiles: list[Profile] | None = None) -> Env:
    """A data directory sharing a built concept space, with a database of its own.

    Args:
        root: the folder to create.
        concept_space: a concept space folder built for the ESCO slice (linked, never copied).
        esco_dir: the ESCO release to load (None: the database is filled by the caller).
        profiles: profiles to store.
    """
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    link = data / "concept_space"
    if not link.exists():
        link.symlink_to(concept_space, target_is_directory=True)
    settings = Settings(data_dir=data, database_url=f"sqlite:///{root / 'rematch.db'}", index_dir=root / "indexes")
    db = make_engine(settings.database_url)
    if esco_dir is not None:
        load_esco(db, esco_dir)
        create_tables(db)
    if profiles:
        ProfileStore(db).upsert(profiles)
    return Env(root, settings, db)


__all__ = ["Env", "make_env"]
