"""Upgrading ESCO to a newer release: concepts that left followed to their replacements, stored text linked again,
indexes rebuilt, a rematch started, and all of it reported.

1. Before the load, every ESCO URI that stored dossiers and vacancies state (coded skills, occupations) is read,
   with its labels in the old release.
2. The new release is loaded (``load_esco``: all or nothing).
3. A stated URI that the new release no longer holds, or holds as obsolete, is followed through the
   replacements (ESCO publishes which concept replaces an obsolete one; its CSV files do not carry it, so the
   operator gives them as a two-column CSV ``old_uri,new_uri``), chains included. One without a replacement
   becomes the text of its old label in the record's language: what the person stated is kept, and the new
   release's linker links it (shown as linked from text, never as coded).
4. The links consultants taught (``learned_link``) follow their concepts the same way; one whose concept has no
   replacement is undone (kept listed, named as undone by the upgrade). Their phrase keys are computed again with
   the new release's linker (it normalises titles with the new labels), so what was taught still applies.
5. The concept space and linker of the new release are built, every stored record is linked again with them
   and stored with its new links and profile, and the profile indexes are rebuilt and saved.
6. A full rematch is started (unless asked not to).
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from esco_data import LANGUAGES, Taxonomy, load_esco
from esco_data.models import EscoConcept
from esco_data.store import current_release
from ingestion.models import RecordKind
from ingestion.repository import RecordRepository
from ingestion.schemas import JobseekerIn, VacancyIn
from matching.linking import LearnedLinks
from skillmatch.db import make_engine
from skillmatch.runtime import Runtime
from skillmatch.schema import create_tables
from skillmatch.settings import Settings

_ITEMS = {
    RecordKind.jobseeker: (
        ("skills", "uri"),
        ("experiences", "occupation_uri"),
        ("desired_occupations", "occupation_uri"),
    ),
    RecordKind.vacancy: (("required_skills", "uri"), ("nice_to_have_skills", "uri")),
}
"""Per record kind, the lists whose items state an ESCO URI, and the key that holds it."""


_CURRENT = (None, "", "released")
"""Statuses of a concept that is not obsolete."""


class EscoUpgradeError(Exception):
    """The upgrade cannot start; the message says why."""


def read_replacements(path: Path) -> dict[str, str]:
    """``old_uri,new_uri`` rows (with that header) of a replacements file.

    Raises:
        EscoUpgradeError: the file lacks the two columns.
    """
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        if not {"old_uri", "new_uri"} <= set(reader.fieldnames or []):
            raise EscoUpgradeError(f"{path}: the replacements need the columns old_uri and new_uri")
        return {row["old_uri"].strip(): row["new_uri"].strip() for row in reader if row["old_uri"].strip()}


def _stated(kind: RecordKind, data: dict[str, Any]) -> Iterator[str]:
    for field, key in _ITEMS[kind]:
        for item in data.get(field) or []:
            if isinstance(item, dict) and item.get(key):
                yield str(item[key])
    if kind is RecordKind.vacancy and data.get("occupation_uri"):
        yield str(data["occupation_uri"])


def _current_concepts(db: Engine) -> set[str]:
    """The URIs of the loaded release's concepts that are not obsolete."""
    table = EscoConcept.__table__  # type: ignore[attr-defined]
    with db.connect() as conn:
        return {str(uri) for uri, status in conn.execute(select(table.c.uri, table.c.status)) if status in _CURRENT}


def _follow(uri: str, replacements: dict[str, str], current: Callable[[str], bool]) -> str | None:
    """The current concept an obsolete one leads to through the replacements (None: none)."""
    seen = {uri}
    while uri in replacements:
        uri = replacements[uri]
        if current(uri):
            return uri
        if uri in seen:
            return None
        seen.add(uri)
    return None


def _rewrite(
    kind: RecordKind,
    data: dict[str, Any],
    followed: dict[str, str | None],
    old_labels: dict[str, dict[str, str]],
    default_language: str,
) -> tuple[dict[str, Any], int, int]:
    """A record with its gone URIs replaced, or turned into their old label's text; (data, replaced, to text)."""
    lang = str(data.get("preferred_language" if kind is RecordKind.jobseeker else "language") or default_language)
    out = dict(data)
    replaced = as_text = 0
    for field, key in _ITEMS[kind]:
        items = data.get(field)
        if not isinstance(items, list):
            continue
        new_items = []
        for item in items:
            uri = item.get(key) if isinstance(item, dict) else None
            if uri in followed:
                target = followed[uri]
                if target is not None:
                    item = {**item, key: target}
                    replaced += 1
                else:
                    item = {k: v for k, v in item.items() if k != key}
                    label = old_labels.get(uri, {}).get(lang, "")
                    if key == "uri":  # a skill: the person's words in place of the code
                        item["text"] = item.get("text") or label
                    elif not item.get("title"):
                        item["title"] = label
                    as_text += 1
            new_items.append(item)
        out[field] = new_items
    uri = data.get("occupation_uri")
    if kind is RecordKind.vacancy and uri in followed:
        out["occupation_uri"] = followed[uri]
        replaced += followed[uri] is not None
        as_text += followed[uri] is None  # the title stays, and is linked
    return out, replaced, as_text


def upgrade_esco(
    settings: Settings,
    path: Path,
    *,
    replacements: dict[str, str] | None = None,
    rematch: dict[str, Any] | None = None,
    db: Engine | None = None,
    progress: bool = False,
) -> dict[str, Any]:
    """Upgrade the loaded ESCO release (see the module's steps).

    Args:
        settings: the settings (database, data directory).
        path: the new release (a folder in the official CSV layout, a zip, or a folder of zips).
        replacements: obsolete URI -> the URI that replaces it.
        rematch: start a full rematch with these options (``skillmatch.rematch.rematch``'s); None: none.
        db: a database engine instead of the settings' URL.
        progress: progress bars while loading and building.

    Returns:
        The report: versions, concepts gone, followed and turned into text, records linked again, indexes,
        and the rematch.

    Raises:
        EscoUpgradeError: no release is loaded yet.
    """
    started = time.perf_counter()
    replacements = replacements or {}
    db = db if db is not None else make_engine(settings.database_url)
    create_tables(db)
    before = current_release(db)
    if before is None:
        raise EscoUpgradeError("no ESCO release is loaded: load one with `skillmatch esco load` first")
    old = Taxonomy.load(db)
    repository = RecordRepository(db)
    stored = {kind: list(repository.stored(kind)) for kind in RecordKind}
    stated = {uri for kind, rows in stored.items() for _, data in rows for uri in _stated(kind, data)}
    learned = LearnedLinks(db)
    stated |= learned.uris()
    old_labels = {uri: {lang: old.label(uri, lang).text for lang in LANGUAGES} for uri in stated}
    loaded = load_esco(db, path, progress=progress)
    report: dict[str, Any] = {"from": before.version, "to": loaded.version, "status": loaded.status}
    if loaded.status == "up_to_date":
        return report | {"seconds": round(time.perf_counter() - started, 1)}
    current = _current_concepts(db)
    gone = sorted(uri for uri in stated if uri not in current)
    followed = {uri: _follow(uri, replacements, current.__contains__) for uri in gone}
    moved = learned.follow(followed, f"esco upgrade {before.version} -> {loaded.version}")
    runtime = Runtime.open(settings, db=db, progress=progress)  # the new release's concept space and linker
    assert runtime.linker.learned is not None
    rekeyed = runtime.linker.learned.rekey(
        lambda link: runtime.linker.phrase_key(
            link.phrase, "skill" if link.kind == "skill" else "occupation", link.lang
        )
    )
    records: dict[str, Any] = {}
    for kind, rows in stored.items():
        schema = JobseekerIn if kind is RecordKind.jobseeker else VacancyIn
        models, replaced, as_text = [], 0, 0
        for _, data in rows:
            new_data, n_replaced, n_text = _rewrite(kind, data, followed, old_labels, settings.default_language)
            models.append(schema.model_validate(new_data))
            replaced += n_replaced
            as_text += n_text
        linked = runtime.ingestion.relink(kind, models, source=f"esco upgrade {before.version} -> {loaded.version}")
        records[kind.value] = {"linked_again": linked, "uris_replaced": replaced, "uris_to_text": as_text}
    saved = runtime.save()
    report |= {
        "concepts_stated": len(stated),
        "concepts_gone": len(gone),
        "followed": {uri: target for uri, target in followed.items() if target is not None},
        "to_text": sorted(uri for uri, target in followed.items() if target is None),
        "records": records,
        "learned_links": moved | {"keys_changed": rekeyed},
        "indexes": {"rebuilt": runtime.report.get("profile_indexes"), "saved": saved},
    }
    if rematch is not None:
        from skillmatch.rematch import rematch as run_rematch

        done = run_rematch(settings, full=True, db=db, **rematch)
        run = done.outcome.run
        report["rematch"] = {"run": run.id, "status": run.status, "counts": run.counts}
    else:
        report["rematch"] = "not started"
    report["seconds"] = round(time.perf_counter() - started, 1)
    return report


__all__ = ["EscoUpgradeError", "read_replacements", "upgrade_esco"]
