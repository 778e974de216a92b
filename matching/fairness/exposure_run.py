"""Running the exposure audit on the service's lists: on demand, or after each nightly rematch run.

Two measurements of the same lists: the engine's ranking, and what people see once the consultants' pins and
exclusions are laid over it. The eligible pool of a vacancy is the active jobseekers who pass its hard
filters, counted per group straight from the feature table. The attributes come from the restricted audit
table; nothing here changes a ranking.

After each nightly rematch run, ``skillmatch.rematch`` runs ``run_exposure_audit`` (source "rematch"): the
run's stored lists already have the pins and exclusions laid over them, so the engine's own ranking is
recomputed with the same scoring rather than read back.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.errors import UnknownProfile
from matching.fairness.exposure import Alert, Attributes, CandidateList, ExposureReport, exposure_audit
from matching.fairness.exposure_chance import DEFAULT_ALPHA, DEFAULT_PERMUTATIONS, ChanceReport, chance_of_lists
from matching.fairness.exposure_store import ExposureStore
from matching.fairness.oversight import Decision, DecisionAction, OversightStore, apply_decisions
from matching.profiles import Profile, ProfileKind
from matching.ranking import Filters, MatchingEngine, apply_filters

log = logging.getLogger(__name__)


@dataclass
class ExposureRun:
    """One audit: the engine's lists and the lists as shown, each with its report."""

    source: str
    lists: int
    engine: ExposureReport
    shown: ExposureReport
    run_id: int | None = None
    counterfactual: dict[str, Any] | None = None
    """The counterfactual gender check of the same moment (``CounterfactualReport.to_json``), when it ran."""

    @property
    def alerts(self) -> int:
        """Alerts of both measurements."""
        return len(self.engine.alerts) + len(self.shown.alerts)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON form."""
        return {
            "run_id": self.run_id,
            "source": self.source,
            "lists": self.lists,
            "alerts": self.alerts,
            "engine": self.engine.to_json(),
            "shown": self.shown.to_json(),
            "counterfactual": self.counterfactual,
        }


def _codes(ids: Sequence[str], attributes: Attributes) -> dict[str, tuple[list[str], npt.NDArray[np.int32]]]:
    """attribute -> (its groups, the group index of each row or -1)."""
    names = sorted({a for attrs in attributes.values() for a in attrs})
    out = {}
    for name in names:
        groups = sorted({attrs[name] for attrs in attributes.values() if name in attrs})
        index = {g: i for i, g in enumerate(groups)}
        codes = np.asarray([index.get(attributes.get(i, {}).get(name, ""), -1) for i in ids], dtype=np.int32)
        out[name] = (groups, codes)
    return out


def pool_counts(
    engine: MatchingEngine, vacancies: Sequence[Profile], filters: Filters, attributes: Attributes
) -> dict[str, Counter[tuple[str, str]]]:
    """vacancy id -> (attribute, group) -> members of its eligible pool (indexed jobseekers passing its filters).

    Args:
        engine: the engine (its jobseeker table).
        vacancies: the vacancies.
        filters: the hard filters of their lists.
        attributes: the audit attributes.
    """
    return pools(engine, vacancies, filters, attributes)[0]


def pools(
    engine: MatchingEngine, vacancies: Sequence[Profile], filters: Filters, attributes: Attributes
) -> tuple[dict[str, Counter[tuple[str, str]]], dict[str, list[str]]]:
    """Each vacancy's eligible pool (indexed jobseekers passing its filters): its group counts and its audited
    members (one shared list object when no filter depends on the vacancy).

    Args:
        engine: the engine (its jobseeker table).
        vacancies: the vacancies.
        filters: the hard filters of their lists.
        attributes: the audit attributes.
    """
    counts_of: dict[str, Counter[tuple[str, str]]] = {}
    members_of: dict[str, list[str]] = {}
    with engine.reading() as states:
        table = states[ProfileKind.jobseeker].table
        rows = np.flatnonzero(table.scalars["alive"]).astype(np.int64)
        ids = [table.ids[int(r)] for r in rows]
        codes = _codes(ids, attributes)
        audited = np.asarray([i in attributes for i in ids], dtype=bool)
        shared: tuple[Counter[tuple[str, str]], list[str]] | None = None
        for vacancy in vacancies:
            if shared is not None:
                counts_of[vacancy.id], members_of[vacancy.id] = shared
                continue
            mask = apply_filters(filters, engine.query_features(vacancy), table, rows)
            counts: Counter[tuple[str, str]] = Counter()
            for name, (groups, code) in codes.items():
                kept = code[mask]
                for i, n in enumerate(np.bincount(kept[kept >= 0], minlength=len(groups)).tolist()):
                    if n:
                        counts[(name, groups[i])] = n
            counts_of[vacancy.id] = counts
            members_of[vacancy.id] = [ids[int(i)] for i in np.flatnonzero(mask & audited)]
            if not (filters.max_km is not None or filters.requirements_met):
                shared = (counts, members_of[vacancy.id])  # the filters do not depend on the vacancy
    return counts_of, members_of


def _shown(ranked: Sequence[str], decisions: Mapping[str, Decision], depth: int) -> list[str]:
    pinned = [p for p, d in decisions.items() if d.action is DecisionAction.pin and p not in ranked]
    return apply_decisions([*ranked, *pinned], dict(decisions), key=str, k=depth)


def exposure_audit_of_lists(
    engine: MatchingEngine,
    lists: Mapping[str, Sequence[str]],
    attributes: Attributes,
    *,
    decisions: Mapping[str, Mapping[str, Decision]] | None = None,
    filters: Filters | None = None,
    depth: int = 10,
    permutations: int = DEFAULT_PERMUTATIONS,
    alpha: float = DEFAULT_ALPHA,
    min_expected: float = 5.0,
    source: str = "on-demand",
    seed: int = 0,
) -> ExposureRun:
    """Audit ranked lists as the engine made them and as people see them.

    Args:
        engine: the engine (for the vacancies' eligible pools).
        lists: vacancy id -> ranked jobseeker ids (at least ``depth`` plus the vacancy's exclusions, so that
            the shown list can be refilled).
        attributes: the audit attributes.
        decisions: vacancy id -> jobseeker id -> current pin or exclusion.
        filters: the hard filters the lists were ranked with (default: active jobseekers only).
        depth: the top places that count.
        permutations: random reassignments of the attributes of the permutation test.
        alpha: a group whose corrected p-value is below this raises an alert.
        min_expected: groups expected to hold fewer places raise no alert.
        source: what ran the audit.
        seed: the permutations' seed (kept with the report).

    Returns:
        The audit of both views, each with its permutation test and its alerts.
    """
    filters = filters or Filters()
    decisions = decisions or {}
    vacancies = []
    for vacancy_id in lists:
        try:
            if engine.store is not None:
                vacancies.append(engine.store.get(ProfileKind.vacancy, vacancy_id))
        except UnknownProfile:
            continue  # removed since the lists were made
    counts, members = pools(engine, vacancies, filters, attributes)
    empty: frozenset[str] = frozenset()
    views = {
        "engine": {v: list(lists[v]) for v in counts},
        "shown": {v: _shown(lists[v], decisions.get(v, {}), depth) for v in counts},
    }
    reports = {}
    for name, ranked in views.items():
        report = exposure_audit(
            [CandidateList(v, ids, empty, pool_counts=counts[v]) for v, ids in ranked.items()],
            attributes,
            depth=depth,
            band=None,
            min_expected=min_expected,
        )
        statistical_alerts(report, ranked, members, attributes, permutations=permutations, alpha=alpha, seed=seed)
        for alert in report.alerts:
            log.warning(
                "exposure alert (%s lists, %s): %s %s ratio %.3f outside chance [%.3f, %.3f], corrected p %.4f",
                name, source, alert.attribute, alert.group, alert.value, *alert.band, alert.p_corrected,
            )  # fmt: skip
        reports[name] = report
    return ExposureRun(source=source, lists=len(counts), engine=reports["engine"], shown=reports["shown"])


def statistical_alerts(
    report: ExposureReport,
    ranked: Mapping[str, Sequence[str]],
    members: Mapping[str, Sequence[str]],
    attributes: Attributes,
    *,
    permutations: int = DEFAULT_PERMUTATIONS,
    alpha: float = DEFAULT_ALPHA,
    seed: int = 0,
) -> ChanceReport:
    """Run the permutation test on a report's lists and make its alerts the groups the test flags.

    Args:
        report: the exposure report of the lists (its ``chance`` and ``alerts`` are set here).
        ranked: vacancy id -> ranked jobseeker ids.
        members: vacancy id -> audited members of its pool (one shared object when every list has the same).
        attributes: the audit attributes.
        permutations: random reassignments of the attributes.
        alpha: the family-wise level of the alerts.
        seed: the permutations' seed.
    """
    pools_shared = len({id(m) for m in members.values()}) <= 1
    chance = chance_of_lists(
        ranked,
        attributes,
        depth=report.depth,
        pools=None if pools_shared else members,
        shared_pool=next(iter(members.values()), []) if pools_shared else None,
        permutations=permutations,
        alpha=alpha,
        seed=seed,
    )
    report.chance = chance.to_json()
    report.alerts = [
        Alert(name, group, "ratio", c.observed or 0.0, (c.low, c.high), None, c.p_corrected)
        for name, groups in chance.groups.items()
        for group, c in groups.items()
        if c.alert
    ]
    return chance


def run_exposure_audit(
    engine: MatchingEngine,
    exposure_store: ExposureStore,
    oversight: OversightStore,
    *,
    depth: int = 10,
    filters: Filters | None = None,
    permutations: int = DEFAULT_PERMUTATIONS,
    alpha: float = DEFAULT_ALPHA,
    min_expected: float = 5.0,
    save: bool = True,
    source: str = "on-demand",
    counterfactual: Callable[[], dict[str, Any]] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> ExposureRun:
    """The audit on demand: rank every open vacancy's candidates now, audit both views, keep the run.

    Args:
        engine: the engine.
        exposure_store: the audit attributes (and where the run is kept).
        oversight: the pins and exclusions.
        depth: list length audited.
        filters: hard filters of the lists (default: active jobseekers only).
        permutations: random reassignments of the attributes of the permutation test.
        alpha: the family-wise level of the alerts (corrected p below it).
        min_expected: groups expected to hold fewer places raise no alert.
        save: keep the run in the audit store.
        source: what ran it ("on-demand", "rematch").
        counterfactual: runs the counterfactual gender check (its JSON is kept with the run); None: not run.
        progress: called with (stage, done, total) as the run goes: ``ranking`` per vacancy, then ``measuring``,
            ``counterfactual`` and ``saving``.

    Raises:
        IndexNotBuilt: no jobseeker is indexed.
    """
    filters = filters or Filters()
    step = progress or (lambda stage, done, total: None)
    decisions = oversight.current_many()
    lists: dict[str, list[str]] = {}
    if engine.store is not None:
        vacancies = list(engine.store.all(ProfileKind.vacancy, active_only=True))
        step("ranking", 0, len(vacancies))
        for done, vacancy in enumerate(vacancies, 1):
            extra = sum(1 for d in decisions.get(vacancy.id, {}).values() if d.action is DecisionAction.exclude)
            matches = engine.rank(engine.query_features(vacancy), depth + extra, filters, None, explain=False)
            lists[vacancy.id] = [m.id for m in matches]
            if done % 20 == 0 or done == len(vacancies):
                step("ranking", done, len(vacancies))
    step("measuring", 0, 1)
    run = exposure_audit_of_lists(
        engine,
        lists,
        exposure_store.attributes(),
        decisions=decisions,
        filters=filters,
        depth=depth,
        permutations=permutations,
        alpha=alpha,
        min_expected=min_expected,
        source=source,
    )
    if counterfactual is not None:
        step("counterfactual", 0, 1)
        run.counterfactual = counterfactual()
    if save:
        step("saving", 0, 1)
        run.run_id = exposure_store.save_run(run.source, run.lists, run.alerts, run.to_json())
    return run


__all__ = ["ExposureRun", "exposure_audit_of_lists", "pool_counts", "pools", "run_exposure_audit", "statistical_alerts"]
