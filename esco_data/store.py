"""Writing a parsed ESCO release to the database in one transaction, and reading it back."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from sqlalchemy import Table, delete, insert, inspect, select
from sqlalchemy.engine import Connection, Engine
from tqdm import tqdm

from esco_data.errors import TaxonomyNotLoaded
from esco_data.models import (
    ESCO_TABLES,
    EscoBroader,
    EscoCollection,
    EscoConcept,
    EscoDescription,
    EscoLabel,
    EscoOccupationSkill,
    EscoRelease,
    EscoSkillSkill,
    create_tables,
)
from esco_data.normalize import normalize_label
from esco_data.reader import TaxonomyData

_BATCH = 20_000


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


def _chunks(rows: Iterable[dict[str, Any]], size: int = _BATCH) -> Iterator[list[dict[str, Any]]]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


def current_release(engine: Engine) -> EscoRelease | None:
    """The ESCO release in the database, or None when none is loaded.

    Args:
        engine: the database engine.
    """
    table = _table(EscoRelease)
    if not inspect(engine).has_table(table.name):
        return None
    with engine.connect() as conn:
        row = conn.execute(select(_table(EscoRelease)).order_by(_table(EscoRelease).c.id.desc())).first()
    return EscoRelease.model_validate(row._mapping) if row is not None else None


def loaded_release(engine: Engine) -> EscoRelease:
    """The ESCO release in the database.

    Args:
        engine: the database engine.

    Raises:
        TaxonomyNotLoaded: no release is loaded.
    """
    release = current_release(engine)
    if release is None:
        raise TaxonomyNotLoaded()
    return release


def replace_taxonomy(engine: Engine, data: TaxonomyData, *, progress: bool = False) -> EscoRelease:
    """Replace the stored taxonomy with a parsed release, all or nothing.

    Everything happens in one transaction: if anything fails, the previous release stays as it was.

    Args:
        engine: the database engine.
        data: the parsed release.
        progress: show a progress bar on standard error.

    Returns:
        The release row that was written.
    """
    create_tables(engine)
    tables: Sequence[tuple[Any, Iterable[dict[str, Any]], int]] = [
        (
            EscoConcept,
            (
                {
                    "uri": c.uri,
                    "kind": c.kind.value,
                    "code": c.code,
                    "isco_code": c.isco_code,
                    "skill_type": c.skill_type,
                    "reuse_level": c.reuse_level,
                    "status": c.status,
                }
                for c in data.concepts.values()
            ),
            len(data.concepts),
        ),
        (
            EscoLabel,
            (
                {
                    "uri": uri,
                    "lang": lang,
                    "label_type": kind.value,
                    "text": text,
                    "norm": normalize_label(text),
                }
                for (uri, lang, text), kind in data.labels.items()
            ),
            len(data.labels),
        ),
        (
            EscoDescription,
            ({"uri": uri, "lang": lang, "text": text} for (uri, lang), text in data.descriptions.items()),
            len(data.descriptions),
        ),
        (
            EscoOccupationSkill,
            (
                {"occupation_uri": occ, "skill_uri": skill, "relation": rel.value}
                for (occ, skill), rel in data.occupation_skills.items()
            ),
            len(data.occupation_skills),
        ),
        (
            EscoSkillSkill,
            ({"skill_uri": a, "related_uri": b, "relation": rel.value} for (a, b), rel in data.skill_skills.items()),
            len(data.skill_skills),
        ),
        (EscoBroader, ({"uri": a, "broader_uri": b} for a, b in sorted(data.broader)), len(data.broader)),
        (
            EscoCollection,
            ({"uri": uri, "collection": name} for uri, name in sorted(data.collections)),
            len(data.collections),
        ),
    ]
    release = EscoRelease(
        version=data.version,
        checksum=data.checksum,
        source=data.source,
        languages=data.languages,
        counts=data.counts(),
        skipped=dict(data.skipped),
        loaded_at=datetime.now(UTC),
    )
    total = sum(n for _, _, n in tables)
    with (
        engine.begin() as conn,
        tqdm(total=total, desc="storing ESCO", unit="row", disable=not progress) as bar,
    ):
        for table in reversed(ESCO_TABLES):
            conn.execute(delete(table))
        for model, rows, _ in tables:
            for chunk in _chunks(rows):
                conn.execute(insert(_table(model)), chunk)
                bar.update(len(chunk))
        conn.execute(insert(_table(EscoRelease)), [release.model_dump(exclude={"id"})])
    return release


def read_table(conn: Connection, model: Any, *columns: str) -> list[tuple[Any, ...]]:
    """All rows of an ESCO table, as tuples of the given columns.

    Args:
        conn: an open connection.
        model: the table's model class.
        columns: column names.
    """
    table = _table(model)
    return [tuple(row) for row in conn.execute(select(*(table.c[c] for c in columns)))]


__all__ = ["current_release", "loaded_release", "read_table", "replace_taxonomy"]
