"""Fairness lines of the matching benchmark: the exposure audit with relevance known, and the counterfactual check.

Called by ``benchmarks.matching`` on its ingested runtime (one JSON line each):
- ``exposure_audit``: per audit attribute and group, top-10 places against the places the group's share of the
  eligible pool would give it (``ratio``) and the position-weighted variant, overall and among candidates of
  equal relevance grade (qrels; unjudged = 0), as [ratio, position-weighted ratio].
- ``exposure_chance``: the same lists with the attributes shuffled among the jobseekers (200 shuffles), per
  stratum: the 2.5th-97.5th percentile of the ratios, the share of shuffles whose ratios all lie in [0.95,
  1.05], and per group p (the share of shuffles at least as far from 1 as observed). The engine never sees
  the attributes, so this is the spread that sampling alone gives on a set of this size.
- ``counterfactual``: every dossier's gendered forms swapped (``services.gender_swap``), the profiles rebuilt
  through the engine's linker, both directions ranked again; then the same with every vacancy's title, skill
  texts and description swapped instead; RBO (persistence 0.9, depth 10) of each list against its
  counterfactual.
- ``fairness_targets``: equal-relevance ratios within [0.95, 1.05]; RBO >= 0.95 on average and >= 0.8 for
  every list.
- ``exposure_test``: the product's alert (``matching.fairness.exposure_chance``): per group the ratio, the
  2.5-97.5% interval of the ratio under permutations of the attributes, the Holm-corrected p-value and whether it
  alerts (corrected p < 0.05).

``--synthetic JxV`` adds the same test on a synthetic population built from ESCO's occupation-skill relations
(``benchmarks.speed.Generator``: J dossiers, V vacancies, stored as profiles and ranked once by the engine),
with audit attributes drawn independently of the profiles, ``--seeds`` times (each seed draws the attributes
anew and seeds the permutations): ``synthetic_false_alerts`` is the share of seeds with any alert (the engine
never sees the attributes, so every alert is a false one; the target is <= 5%), and ``synthetic_detection``
the share of seeds whose alert names the group that a test-only biased wrapper (``demote``: each member of one
group moved down a few places in every list, before the top 10 is cut) works against (target >= 95%).

Run on its own: ``python -m benchmarks.fairness --data DIR [--synthetic 5000x1000 --seeds 100]`` (ingests DIR
into a temporary database first).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import tempfile
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import read_tsv
from matching.fairness import Attributes, CandidateList, ChanceReport, ExposureReport, chance_of_lists, exposure_audit
from matching.profiles import ProfileKind
from matching.ranking import Filters
from services.counterfactual import counterfactual_check
from skillmatch.runtime import Runtime

DEPTH = 10
SHUFFLES = 200
TARGET_BAND = (0.95, 1.05)


def read_attributes(path: Path) -> dict[str, dict[str, str]]:
    """audit_attributes.csv: jobseeker id -> attribute -> group."""
    with path.open(encoding="utf-8") as fh:
        return {row.pop("id"): row for row in csv.DictReader(fh)}


def _grades(path: Path) -> dict[str, dict[str, int]]:
    grades: dict[str, dict[str, int]] = defaultdict(dict)
    for qid, _, doc, grade in read_tsv(path):
        grades[qid][doc] = int(grade)
    return grades


def candidate_lists(runtime: Runtime, grades: dict[str, dict[str, int]], filters: Filters) -> list[CandidateList]:
    """Every vacancy's top 10 jobseekers, with the pool they were chosen from and the known grades."""
    engine = runtime.engine
    pool = frozenset(p.id for p in runtime.store.all(ProfileKind.jobseeker, active_only=filters.active_only))
    lists = []
    for vacancy in runtime.store.all(ProfileKind.vacancy, active_only=filters.active_only):
        ranked = engine.rank(engine.query_features(vacancy), DEPTH, filters, None, explain=False)
        lists.append(CandidateList(vacancy.id, [m.id for m in ranked], pool, grades.get(vacancy.id, {})))
    return lists


def _ratios(report: ExposureReport) -> dict[str, Any]:
    strata: dict[str, Any] = {"all": report.attributes}
    strata |= {f"grade_{g}": table for g, table in report.by_grade.items()}
    return {
        name: {
            attribute: {group: [e.ratio, e.weighted_ratio] for group, e in groups.items()}
            for attribute, groups in table.items()
        }
        for name, table in strata.items()
    }


def _chance(lists: Sequence[CandidateList], attributes: Attributes, observed: dict[str, Any]) -> dict[str, Any]:
    """What shuffling the attributes among the jobseekers gives (the engine never sees them, so this is chance).

    Returns, per stratum, the 2.5th and 97.5th percentile of the ratios, the share of shuffles whose ratios
    all fall in the target band, and per group the share of shuffles at least as far from 1 as observed (p).
    """
    ids = sorted(attributes)
    values = [attributes[i] for i in ids]
    seen: dict[str, list[float]] = defaultdict(list)
    per_group: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    meets: dict[str, int] = defaultdict(int)
    low, high = TARGET_BAND
    rng = random.Random(0)
    for _ in range(SHUFFLES):
        shuffled = values[:]
        rng.shuffle(shuffled)
        report = exposure_audit(lists, dict(zip(ids, shuffled, strict=True)), depth=DEPTH)
        for name, table in _ratios(report).items():
            ratios = [v for groups in table.values() for pair in groups.values() for v in pair if v is not None]
            seen[name] += ratios
            meets[name] += all(low <= v <= high for v in ratios)
            for attribute, groups in table.items():
                for group, (ratio, _) in groups.items():
                    if ratio is not None:
                        per_group[(name, attribute, group)].append(ratio)
    p_values: dict[str, dict[str, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    for (name, attribute, group), null in per_group.items():
        ratio = observed[name][attribute][group][0]
        p_values[name][attribute][group] = round(sum(abs(v - 1) >= abs(ratio - 1) for v in null) / len(null), 3)
    return {
        name: {
            "ratios_95": [round(float(np.percentile(v, 2.5)), 4), round(float(np.percentile(v, 97.5)), 4)],
            "shuffles_in_band": round(meets[name] / SHUFFLES, 3),
            "p": p_values[name],
        }
        for name, v in seen.items()
    }


def _test_line(chance: ChanceReport) -> dict[str, Any]:
    """Per attribute and group: [ratio, interval low, interval high, corrected p, alert]."""
    return {
        attribute: {g: [c.observed, c.low, c.high, c.p_corrected, c.alert] for g, c in groups.items()}
        for attribute, groups in chance.groups.items()
    }


def fairness_lines(runtime: Runtime, data: Path, *, counterfactual: bool = True) -> Iterator[dict[str, Any]]:
    """The fairness lines for a matching-dev style folder whose records the runtime has ingested."""
    audit = data / "audit_attributes.csv"
    if not audit.exists():
        return
    attributes = read_attributes(audit)
    filters = Filters(active_only=False)  # as the matching benchmark: soft scoring only
    lists = candidate_lists(runtime, _grades(data / "qrels_vacancy_to_jobseekers.tsv"), filters)
    report = exposure_audit(lists, attributes, depth=DEPTH)
    ratios = _ratios(report)
    yield {"exposure_audit": ratios, "alerts": len(report.alerts)}
    yield {"exposure_chance": _chance(lists, attributes, ratios)}
    pool = sorted(lists[0].pool) if lists else []
    chance = chance_of_lists({c.vacancy_id: list(c.ranked) for c in lists}, attributes, depth=DEPTH, shared_pool=pool)
    yield {"exposure_test": {"set": data.name, "groups": _test_line(chance), "alerts": len(chance.alerts)}}
    if not counterfactual:
        return
    check = counterfactual_check(
        runtime.db, runtime.store, runtime.ingestion.builder, runtime.engine, k=DEPTH, filters=filters
    )
    yield {"counterfactual": check.to_json()}
    low, high = TARGET_BAND
    equal = [
        v
        for name, table in ratios.items()
        if name.startswith("grade_")
        for groups in table.values()
        for pair in groups.values()
        for v in pair
        if v is not None
    ]
    outside = sorted(
        (name, attribute, group, v)
        for name, table in ratios.items()
        if name.startswith("grade_")
        for attribute, groups in table.items()
        for group, pair in groups.items()
        for v in pair
        if v is not None and not low <= v <= high
    )
    yield {
        "fairness_targets": {
            "equal_relevance_within_band": not outside,
            "equal_relevance_range": [min(equal, default=1.0), max(equal, default=1.0)],
            "equal_relevance_outside": [list(o) for o in outside],
            "rbo_mean_v2j": check.vacancy_lists.mean,
            "rbo_min_v2j": check.vacancy_lists.minimum,
            "rbo_mean_j2v": check.jobseeker_lists.mean,
            "rbo_min_j2v": check.jobseeker_lists.minimum,
            "rbo_mean_vacancies_swapped_v2j": check.swapped_vacancy_lists.mean,
            "rbo_min_vacancies_swapped_v2j": check.swapped_vacancy_lists.minimum,
            "rbo_mean_vacancies_swapped_j2v": check.lists_over_swapped_vacancies.mean,
            "rbo_min_vacancies_swapped_j2v": check.lists_over_swapped_vacancies.minimum,
            "rbo_targets_met": all(s.mean >= 0.95 and s.minimum >= 0.8 for s in check.lists if s.lists),
        }
    }


GROUPS = {
    "gender": (("F", "M", "X"), (0.48, 0.48, 0.04)),
    "age_band": (("<26", "26-45", ">45"), (0.25, 0.5, 0.25)),
    "nationality_group": (("BE", "EU", "non-EU"), (0.6, 0.2, 0.2)),
}
"""The synthetic population's audit attributes: drawn per person, independently of the profile."""
DEMOTED = ("nationality_group", "non-EU")
SHIFTS = (1, 2)
"""The biased wrapper moves every member of ``DEMOTED`` this many places down each list (one run per shift)."""


def synthetic_rankings(jobseekers: int, vacancies: int, length: int) -> tuple[dict[str, list[str]], list[str]]:
    """Rank a synthetic population once: the top ``length`` jobseekers of every vacancy, and the pool.

    Profiles come from ESCO's occupation-skill relations (``benchmarks.speed.Generator``), are stored in a scratch
    database over the full ESCO release and the configured concept space, and ranked by the product's engine with
    the default filters (active jobseekers).
    """
    from benchmarks.speed import Generator
    from esco_data import Taxonomy, load_esco
    from matching.profiles import ProfileStore
    from skillmatch.db import make_engine
    from skillmatch.rematch import MatchingState
    from skillmatch.schema import create_tables
    from skillmatch.settings import Settings, get_settings

    base = get_settings()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "data").mkdir()
        (root / "data" / "concept_space").symlink_to(base.data_dir / "concept_space", target_is_directory=True)
        settings = Settings(
            data_dir=root / "data", database_url=f"sqlite:///{root / 'bench.db'}", index_dir=root / "indexes"
        )
        db = make_engine(settings.database_url)
        load_esco(db, base.esco_dir)
        create_tables(db)
        generator = Generator(Taxonomy.load(db), seed=jobseekers)
        store = ProfileStore(db)
        store.upsert([generator.profile(ProfileKind.jobseeker, f"J{i:06d}") for i in range(jobseekers)])
        store.upsert([generator.profile(ProfileKind.vacancy, f"V{i:06d}") for i in range(vacancies)])
        state = MatchingState.open(settings, db=db)
        engine, filters = state.engine, Filters()
        lists = {
            v.id: [m.id for m in engine.rank(engine.query_features(v), length, filters, None, explain=False)]
            for v in state.store.all(ProfileKind.vacancy, active_only=True)
        }
        pool = sorted(p.id for p in state.store.all(ProfileKind.jobseeker, active_only=True))
        db.dispose()
    return lists, pool


def draw_attributes(people: Sequence[str], seed: int) -> dict[str, dict[str, str]]:
    """Audit attributes drawn at random for each person, independently of everything else."""
    rng = np.random.default_rng(seed)
    drawn = {name: rng.choice(len(groups), size=len(people), p=p) for name, (groups, p) in GROUPS.items()}
    return {person: {name: GROUPS[name][0][drawn[name][i]] for name in GROUPS} for i, person in enumerate(people)}


def demote(
    lists: dict[str, list[str]], attributes: Attributes, group: tuple[str, str], shift: int
) -> dict[str, list[str]]:
    """A deliberately biased ranking (for this benchmark only): every member of ``group`` moved ``shift`` places
    down each list (ties to the others), as an engine that held the group against them would."""
    name, value = group
    out = {}
    for vacancy, ranked in lists.items():
        keys = [(i + (shift + 0.5 if attributes.get(p, {}).get(name) == value else 0), p) for i, p in enumerate(ranked)]
        out[vacancy] = [p for _, p in sorted(keys)]
    return out


def synthetic_lines(size: str, seeds: int, permutations: int) -> Iterator[dict[str, Any]]:
    """The false-alert and detection rates of the exposure test on a synthetic population, over seeds."""
    jobseekers, vacancies = (int(n) for n in size.lower().split("x"))
    lists, pool = synthetic_rankings(jobseekers, vacancies, DEPTH + max(SHIFTS))
    top = {v: r[:DEPTH] for v, r in lists.items()}
    false_alerts, example = 0, {}
    detected = dict.fromkeys(SHIFTS, 0)
    ratios: dict[int, list[float]] = {shift: [] for shift in SHIFTS}
    for seed in range(seeds):
        attributes = draw_attributes(pool, seed)
        plain = chance_of_lists(top, attributes, depth=DEPTH, shared_pool=pool, permutations=permutations, seed=seed)
        false_alerts += bool(plain.alerts)
        if seed == 0:
            example["unbiased"] = _test_line(plain)
        for shift in SHIFTS:
            biased = {v: r[:DEPTH] for v, r in demote(lists, attributes, DEMOTED, shift).items()}
            unfair = chance_of_lists(
                biased, attributes, depth=DEPTH, shared_pool=pool, permutations=permutations, seed=seed
            )
            detected[shift] += DEMOTED in unfair.alerts
            ratios[shift].append(unfair.groups[DEMOTED[0]][DEMOTED[1]].observed or 0.0)
            if seed == 0:
                example[f"demoted_by_{shift}"] = _test_line(unfair)
    size_line = {"jobseekers": len(pool), "vacancies": len(top), "seeds": seeds, "permutations": permutations}
    yield {"synthetic_seed_0": example}
    yield {"synthetic_false_alerts": size_line | {"runs_with_an_alert": false_alerts, "rate": false_alerts / seeds}}
    for shift in SHIFTS:
        found = {"detected": detected[shift], "rate": detected[shift] / seeds}
        yield {
            "synthetic_detection": size_line
            | {"demoted": f"{DEMOTED[0]}={DEMOTED[1]} down {shift} place(s) in every list"}
            | {"mean_ratio_of_the_demoted_group": round(float(np.mean(ratios[shift])), 4)}
            | found
        }


def main(argv: Sequence[str] | None = None) -> None:
    from esco_data import load_esco
    from ingestion.adapters import RecordFormat
    from ingestion.models import RecordKind
    from ingestion.readers import read_file
    from skillmatch.db import make_engine
    from skillmatch.settings import get_settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--synthetic", default=None, help="JxV: also the test on a synthetic population")
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--permutations", type=int, default=1000)
    parser.add_argument("--no-counterfactual", action="store_true", help="leave out the counterfactual check")
    args = parser.parse_args(argv)
    settings = get_settings()
    with tempfile.TemporaryDirectory() as tmp:
        db = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        load_esco(db, settings.esco_dir)
        runtime = Runtime.open(settings, db=db, index_dir=Path(tmp) / "indexes")
        for kind, name in ((RecordKind.jobseeker, "jobseekers.jsonl"), (RecordKind.vacancy, "vacancies.jsonl")):
            runtime.ingestion.ingest(kind, read_file(args.data / name), source=name, fmt=RecordFormat.matching_dev)
        for line in fairness_lines(runtime, args.data, counterfactual=not args.no_counterfactual):
            print(json.dumps(line, ensure_ascii=False), flush=True)
    if args.synthetic:
        for line in synthetic_lines(args.synthetic, args.seeds, args.permutations):
            print(json.dumps(line, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
