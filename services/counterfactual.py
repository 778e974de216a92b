"""The counterfactual gender check over stored records: swap, rebuild the profiles, rank again, compare.

The dossiers and vacancies are read from the records tables, their gendered forms swapped
(``services.gender_swap``), each changed record validated and turned into a profile with the same builder as
ingestion (so its titles and skill texts go through the engine's own linker), and ``matching.fairness.counterfactual``
ranks again and compares, for each side. Nothing is written: records, profiles and indexes stay as they are.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from pydantic import ValidationError
from sqlalchemy.engine import Engine

from ingestion.models import RecordKind
from ingestion.profile_builder import ProfileBuilder
from ingestion.repository import RecordRepository
from ingestion.schemas import JobseekerIn, VacancyIn
from matching.fairness import CounterfactualReport, SideReport, compare_side
from matching.profiles import Profile, ProfileKind, ProfileStore
from matching.ranking import Filters, MatchingEngine
from services.gender_swap import swap_jobseeker, swap_vacancy


def _field_kind(path: str) -> str:
    """``experiences[2].title`` -> ``experiences.title``."""
    return ".".join(part.split("[")[0] for part in path.split("."))


def _swapped_profiles(
    db: Engine,
    kind: ProfileKind,
    stored: dict[str, Profile],
    builder: ProfileBuilder,
    examples: int,
) -> tuple[SideReport, dict[str, Profile]]:
    """Every stored record of a kind with its gendered forms swapped, built into profiles as ingestion would."""
    jobseeker = kind is ProfileKind.jobseeker
    swap = swap_jobseeker if jobseeker else swap_vacancy
    schema: type[JobseekerIn] | type[VacancyIn] = JobseekerIn if jobseeker else VacancyIn
    side = SideReport()
    fields: Counter[str] = Counter()
    records: list[JobseekerIn | VacancyIn] = []
    for record_id, data in RecordRepository(db).stored(RecordKind.jobseeker if jobseeker else RecordKind.vacancy):
        if record_id not in stored:
            continue
        side.records += 1
        result = swap(data, default_language=builder.linker.config.default_language)
        if not result.changed:
            continue
        try:
            records.append(schema.model_validate(result.data))
        except ValidationError:
            continue
        fields.update(_field_kind(path) for path in result.changed)
        if len(side.examples) < examples:
            path = result.changed[0]
            side.examples.append(
                {"id": record_id, "field": path, "before": _at(data, path), "after": _at(result.data, path)}
            )
    swapped = {}
    for built in builder.build(records) if records else []:
        profile = built.profile
        profile.active = stored[profile.id].active  # an opted-out jobseeker, a closed vacancy stay out
        swapped[profile.id] = profile
    side.changed = len(swapped)
    side.fields = dict(fields)
    return side, swapped


def _spread(profiles: list[Profile], at_most: int) -> list[Profile]:
    """At most ``at_most`` profiles, evenly spread over the id order (all of them when there are fewer)."""
    if len(profiles) <= at_most:
        return profiles
    ordered = sorted(profiles, key=lambda p: p.id)
    step = len(ordered) / at_most
    return [ordered[int(i * step)] for i in range(at_most)]


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
    max_jobseeker_lists: int = 2_000,
) -> CounterfactualReport:
    """Swap the gendered forms of every stored dossier and vacancy and measure how much the rankings move.

    Args:
        db: the database holding the dossiers.
        store: the profile store (the stored profiles and the open vacancies).
        builder: the profile builder of ingestion (the engine's own linker).
        engine: the service's engine.
        k: list length (RBO depth).
        filters: hard filters of the lists (default: active jobseekers, open vacancies).
        floor: lists below this RBO are counted.
        examples: how many changed titles to show per side.
        max_jobseeker_lists: on the vacancies' side, how many jobseekers' lists of vacancies are compared
            (spread over the ids; every one below that).

    Returns:
        Records read and changed, the fields changed, and the RBO of the lists both ways, for each side.

    Raises:
        IndexNotBuilt: nothing is indexed.
    """
    jobseekers = {p.id: p for p in store.all(ProfileKind.jobseeker)}
    people, swapped_people = _swapped_profiles(db, ProfileKind.jobseeker, jobseekers, builder, examples)
    open_vacancies = store.all(ProfileKind.vacancy, active_only=True)
    v2j, j2v = compare_side(
        engine,
        ProfileKind.jobseeker,
        list(jobseekers.values()),
        swapped_people,
        open_vacancies,
        k=k,
        filters=filters,
        floor=floor,
    )
    vacancies = {p.id: p for p in store.all(ProfileKind.vacancy)}
    offers, swapped_offers = _swapped_profiles(db, ProfileKind.vacancy, vacancies, builder, examples)
    asking = _spread([p for p in jobseekers.values() if p.active], max_jobseeker_lists)
    over, own = compare_side(
        engine, ProfileKind.vacancy, list(vacancies.values()), swapped_offers, asking, k=k, filters=filters, floor=floor
    )
    return CounterfactualReport(
        records=people.records,
        changed=people.changed,
        fields=people.fields,
        vacancy_lists=v2j,
        jobseeker_lists=j2v,
        examples=people.examples,
        vacancies=offers,
        swapped_vacancy_lists=own,
        lists_over_swapped_vacancies=over,
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
