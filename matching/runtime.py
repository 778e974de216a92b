"""Everything matching needs at run time, built or reused from the data directory in one call.

Order: database -> taxonomy (must be loaded) -> encoder -> concept space and linker indexes -> related skills
-> profile indexes (reused when saved for this concept space, then synced with the profile store).
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from esco_data import Taxonomy
from esco_data import create_tables as create_esco_tables
from matching.engine import MatchingEngine
from matching.linker import Linker
from matching.related import RelatedConfig, RelatedSkills
from matching.resources import concept_space_dir, load_taxonomy, make_encoder, prepare_linker
from matching.store import ProfileStore
from matching.store import create_tables as create_profile_tables
from skillmatch.db import make_engine
from skillmatch.settings import Settings


def indexes_dir(data_dir: Path) -> Path:
    """Where the profile indexes are saved."""
    return data_dir / "indexes"


def prepare_related(taxonomy: Taxonomy, linker: Linker, data_dir: Path) -> RelatedSkills:
    """Related skills of the concept space, reused from disk when built for the same space."""
    directory = concept_space_dir(data_dir)
    config = RelatedConfig()
    wanted = {"space_built_at": linker.space.manifest.get("built_at"), "config": asdict(config)}
    manifest = directory / "related.json"
    path = directory / "related.npz"
    if path.exists() and manifest.exists() and json.loads(manifest.read_text()) == wanted:
        return RelatedSkills.load(str(path), config)
    related = RelatedSkills.build(taxonomy, linker.space, config)
    related.save(str(path))
    manifest.write_text(json.dumps(wanted))
    return related


@dataclass
class MatchingRuntime:
    """The database, taxonomy, linker and matching engine of one data directory."""

    settings: Settings
    db: Engine
    taxonomy: Taxonomy
    linker: Linker
    engine: MatchingEngine
    index_dir: Path
    report: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        db: Engine | None = None,
        index_dir: Path | None = None,
        progress: bool = False,
    ) -> MatchingRuntime:
        """Build or reuse everything; the taxonomy must already be loaded (``skillmatch esco load``).

        Args:
            settings: the settings.
            db: a database engine to use instead of the settings' URL.
            index_dir: where the profile indexes are saved (default: ``indexes/`` in the data directory).
            progress: show progress bars while building.

        Raises:
            TaxonomyNotLoaded: ESCO is not in the database.
        """
        started = time.perf_counter()
        db = db if db is not None else make_engine(settings.database_url)
        create_esco_tables(db)
        create_profile_tables(db)
        encoder = make_encoder(settings.data_dir, settings.model_name, settings.encode_threads)
        with ThreadPoolExecutor(1) as pool:
            model = pool.submit(encoder.load_model)  # beside the taxonomy and the indexes, not after them
            taxonomy = load_taxonomy(db, settings.data_dir)
            linker, report = prepare_linker(taxonomy, encoder, settings.data_dir, progress=progress)
            model.result()
        related = prepare_related(taxonomy, linker, settings.data_dir)
        engine = MatchingEngine(
            taxonomy,
            linker.space,
            related,
            ProfileStore(db),
            index_type=settings.index_type,
            source=db.url.render_as_string(hide_password=True),
        )
        directory = index_dir or indexes_dir(settings.data_dir)
        report["profile_indexes"] = "reused" if engine.load(directory) else "built"
        report["profiles_synced"] = engine.sync()
        report["seconds"] = round(time.perf_counter() - started, 1)
        return cls(settings, db, taxonomy, linker, engine, directory, report)

    def save(self) -> None:
        """Save the profile indexes (atomically)."""
        self.engine.save(self.index_dir)


__all__ = ["MatchingRuntime", "indexes_dir", "prepare_related"]
