"""Loading an ESCO release into the database: idempotent and all-or-nothing."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlalchemy.engine import Engine

from esco_data.reader import parse_source
from esco_data.source import open_source
from esco_data.store import current_release, replace_taxonomy


@dataclass
class LoadReport:
    """What a load did."""

    status: Literal["loaded", "up_to_date"]
    version: str
    checksum: str
    counts: dict[str, Any] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def load_esco(
    engine: Engine,
    path: Path,
    *,
    version: str | None = None,
    force: bool = False,
    progress: bool = False,
) -> LoadReport:
    """Load an ESCO release into the database unless the same bytes are already loaded.

    Args:
        engine: the database engine.
        path: an ESCO folder in the official CSV layout, an official zip, or a folder of zips.
        version: the release's version when the path does not say it.
        force: reload even when the checksum matches the loaded release.
        progress: show progress bars on standard error.

    Returns:
        The report: ``up_to_date`` when nothing changed, else ``loaded`` with counts and skipped rows.

    Raises:
        EscoSourceNotFound: the path is missing or is not an ESCO release.
        EscoFormatError: a file is malformed; the database keeps its previous state.
    """
    started = time.perf_counter()
    source = open_source(path, version)
    checksum = source.checksum()
    current = current_release(engine)
    if current is not None and current.checksum == checksum and not force:
        return LoadReport(
            status="up_to_date",
            version=current.version,
            checksum=checksum,
            counts=current.counts,
            skipped=current.skipped,
            seconds=time.perf_counter() - started,
        )
    data = parse_source(source, checksum=checksum, progress=progress)
    release = replace_taxonomy(engine, data, progress=progress)
    return LoadReport(
        status="loaded",
        version=release.version,
        checksum=checksum,
        counts=release.counts,
        skipped=release.skipped,
        seconds=time.perf_counter() - started,
    )


__all__ = ["LoadReport", "load_esco"]
