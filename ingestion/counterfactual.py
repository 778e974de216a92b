"""The counterfactual gender check over stored dossiers: swap, rebuild the profiles, rank again, compare.

The dossiers are read from the records table, their gendered forms swapped (``ingestion.gender_swap``), each
changed dossier validated and turned into a profile with the same builder as ingestion (so its titles and
skill texts go through the engine's own linker), and ``matching.counterfactual`` ranks again and compares.
Nothing is written: the service's records, profiles and indexes stay as they are.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.engine import Engine

from ingestion.gender_swap import swap_jobseeker
from ingestion.models import JobseekerRecord
from ingestion.profile_builder import ProfileBuilder
from ingestion.schemas import JobseekerIn
from matching.counterfactual import CounterfactualReport, compare_rankings
from matching.engine import MatchingEngine
from matching.filters import Filters
from matching.profiles import ProfileKind
from matching.store import ProfileStore


def _dossiers(db: Engine) -> Iterator[tuple[str, dict[str, Any]]]:
    table = JobseekerRecord.__table__  # type: ignore[attr-defined]
    with db.connect() as conn:
        for record_id, data in conn.execute(select(table.c.id, table.c.data).order_by(table.c.id)):
            yield str(record_id), dict(data)


def _field_kind(path: str) -> str:
    """``experiences[2].title`` -> ``experiences.title``."""
    return ".".join(part.split("[")[0] for part in path.split("."))


def counterfactual_check(
    db: Engine,
    store: ProfileStore,
    builder: ProfileBuilder,
    engine: MatchingEngine,
    *,
    k: int = 10,
    filters: Filters | None = None,
    floor: float = 0.8,
    examples: int = 5,
) -> CounterfactualReport:
    """Swap the gendered forms of every stored dossier and measure how much the rankings move.

    Args:
        db: the database holding the dossiers.
        store: the profile store (the stored profiles and the open vacancies).
        builder: the profile builder of ingestion (the engine's own linker).
        engine: the service's engine.
        k: list length (RBO depth).
        filters: hard filters of the lists (default: active jobseekers, open vacancies).
        floor: lists below this RBO are counted.
        examples: how many changed titles to show.

    Returns:
        Records read and changed, the fields changed, and the RBO of the lists both ways.

    Raises:
        IndexNotBuilt: nothing is indexed.
    """
    stored = {p.id: p for p in store.all(ProfileKind.jobseeker)}
    swapped_records: list[JobseekerIn] = []
    fields: Counter[str] = Counter()
    shown: list[dict[str, Any]] = []
    read = 0
    for record_id, data in _dossiers(db):
        if record_id not in stored:
            continue
        read += 1
        result = swap_jobseeker(data)
        if not result.changed:
            continue
        try:
            swapped_records.append(JobseekerIn.model_validate(result.data))
        except ValidationError:
            continue
        fields.update(_field_kind(path) for path in result.changed)
        if len(shown) < examples:
            path = result.changed[0]
            shown.append({"id": record_id, "field": path, "before": _at(data, path), "after": _at(result.data, path)})
    swapped = {}
    for built in builder.build(swapped_records) if swapped_records else []:
        profile = built.profile
        profile.active = stored[profile.id].active  # an opted-out jobseeker stays out of the lists
        swapped[profile.id] = profile
    vacancies = store.all(ProfileKind.vacancy, active_only=True)
    v2j, j2v = compare_rankings(engine, list(stored.values()), swapped, vacancies, k=k, filters=filters, floor=floor)
    return CounterfactualReport(
        records=read,
        changed=len(swapped),
        fields=dict(fields),
        vacancy_lists=v2j,
        jobseeker_lists=j2v,
        examples=shown,
    )


def _at(data: dict[str, Any], path: str) -> Any:
    """The value at a field path such as ``experiences[0].title``."""
    value: Any = data
    for part in path.split("."):
        name, _, index = part.partition("[")
        value = value.get(name) if isinstance(value, dict) else None
        if index and isinstance(value, list):
            value = value[int(index.rstrip("]"))]
    return value


__all__ = ["counterfactual_check"]
