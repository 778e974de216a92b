"""Human oversight: pins and exclusions with a reason, logged, shown, reversible, laid over the engine's lists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from matching.fairness import ReviewedCandidates
from matching.fairness.oversight import (
    Decision,
    DecisionAction,
    InvalidDecision,
    OversightCurations,
    OversightStore,
    apply_decisions,
)
from matching.profiles import ProfileKind
from matching.ranking import Filters
from matching.rematch.curation import ListCuration
from skillmatch.runtime import Runtime
from tests import esco_uris as U
from tests.factories import jobseeker_profile, vacancy_profile

REQUIRED = (U.BAKE_GOODS, U.KNEAD_FOOD, U.TEND_BAKERY_OVENS, U.APPLY_HACCP)


@pytest.fixture
def runtime(fresh_runtime: Runtime) -> Runtime:
    """Five jobseekers (from a full baker to an accountant) and a bakery vacancy, stored and indexed."""
    fresh_runtime.writer.write(
        [
            jobseeker_profile("full", U.BAKER, *REQUIRED),
            jobseeker_profile("half", U.BAKER, U.BAKE_GOODS, U.KNEAD_FOOD),
            jobseeker_profile("pastry", U.PASTRY_MAKER, U.MOULD_DOUGHS, U.KNEAD_FOOD),
            jobseeker_profile("cook", U.COOK, U.ORDER_SUPPLIES, U.APPLY_HACCP),
            jobseeker_profile("accountant", U.ACCOUNTANT, U.CALCULATE_TAX),
            vacancy_profile("bakery", U.BAKER, *REQUIRED),
        ]
    )
    return fresh_runtime


def _decision(person: str, action: DecisionAction, minutes: int) -> Decision:
    at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    return Decision(minutes, "v", person, action, "reason", "consultant", at)


def test_apply_decisions_on_a_plain_list() -> None:
    decisions = {
        "d": _decision("d", DecisionAction.pin, 2),
        "e": _decision("e", DecisionAction.pin, 1),
        "a": _decision("a", DecisionAction.exclude, 3),
    }
    shown = apply_decisions(list("abcdef"), decisions, key=str, k=4)
    # Pinned in the order pinned (e before d), the excluded one gone, the rest in the engine's order.
    assert shown == ["e", "d", "b", "c"]
    # Pins are kept even beyond k.
    assert apply_decisions(list("abcdef"), decisions, key=str, k=1) == ["e", "d"]


def test_every_decision_is_logged_and_a_revocation_is_an_event(fresh_runtime: Runtime) -> None:
    log = OversightStore(fresh_runtime.db)
    log.exclude("v1", "j1", "a déjà refusé ce poste", "consultant.a")
    log.pin("v1", "j2", "rencontré au salon", "consultant.b")
    assert set(log.current("v1")) == {"j1", "j2"}
    log.revoke("v1", "j1", "erreur de dossier", "consultant.a")
    assert set(log.current("v1")) == {"j2"}
    history = [(d.jobseeker_id, d.action.value, d.actor, d.reason) for d in log.history(vacancy_id="v1")]
    assert history == [
        ("j1", "exclude", "consultant.a", "a déjà refusé ce poste"),
        ("j2", "pin", "consultant.b", "rencontré au salon"),
        ("j1", "revoke", "consultant.a", "erreur de dossier"),
    ]
    assert all(d.at.tzinfo is not None for d in log.history())


@pytest.mark.parametrize(
    ("reason", "actor", "message"),
    [("  ", "c", "a reason is required"), ("why", " ", "the consultant who decides must be named")],
)
def test_a_decision_needs_a_reason_and_an_author(fresh_runtime: Runtime, reason: str, actor: str, message: str) -> None:
    with pytest.raises(InvalidDecision, match=message):
        OversightStore(fresh_runtime.db).pin("v1", "j1", reason, actor)


def test_revoking_nothing_is_refused(fresh_runtime: Runtime) -> None:
    with pytest.raises(InvalidDecision, match="neither pinned nor excluded"):
        OversightStore(fresh_runtime.db).revoke("v1", "j1", "why", "c")


def test_excluded_candidates_stay_out_and_pinned_ones_stay_on_top(runtime: Runtime) -> None:
    log = OversightStore(runtime.db)
    reviewed = ReviewedCandidates(runtime.engine, log)
    engine_order = [m.id for m in runtime.engine.candidates("bakery", 3)]
    assert engine_order[0] == "full" and "accountant" not in engine_order

    log.exclude("bakery", "full", "n'a pas de permis de travail valable", "consultant.a")
    log.pin("bakery", "accountant", "reconversion suivie", "consultant.b")
    shown = reviewed.candidates("bakery", k=3)
    ids = [c.match.id for c in shown.candidates]
    # The pin is first although the engine ranks it last (scored and explained all the same); the excluded
    # candidate is gone and the list is refilled to its length.
    assert ids[0] == "accountant" and "full" not in ids and len(ids) == 3
    first = shown.candidates[0]
    assert first.pinned is not None and first.pinned.actor == "consultant.b"
    assert first.match.explanation is not None and first.match.score > 0
    assert [(d.jobseeker_id, d.reason) for d in shown.excluded] == [("full", "n'a pas de permis de travail valable")]
    # The engine's own ranking is untouched by the overlay.
    assert [m.id for m in runtime.engine.candidates("bakery", 3)] == engine_order

    log.revoke("bakery", "full", "permis reçu", "consultant.a")
    again = [c.match.id for c in reviewed.candidates("bakery", k=3).candidates]
    assert again[:2] == ["accountant", "full"] and shown.to_json()["excluded"][0]["by"] == "consultant.a"


def test_a_person_looked_up_gets_their_score_place_and_why_they_are_not_listed(runtime: Runtime) -> None:
    log = OversightStore(runtime.db)
    reviewed = ReviewedCandidates(runtime.engine, log)
    shown = reviewed.candidates("bakery", k=2)
    assert shown.eligible == 5 and len(shown.candidates) == 2
    listed = reviewed.lookup("bakery", "full", k=2)
    assert listed.listed and listed.rank == 1 and listed.reasons == []

    below = reviewed.lookup("bakery", "accountant", k=2)
    # Scored and explained like any match, ranked under the two shown, and said so.
    assert not below.listed and below.reasons == ["below"] and below.rank is not None and below.rank > 2
    assert below.match is not None and below.match.explanation is not None
    assert below.last_score is not None and below.match.score <= below.last_score

    log.exclude("bakery", "full", "a refusé l'offre", "consultant.a")
    excluded = reviewed.lookup("bakery", "full", k=2)
    assert excluded.reasons == ["excluded"] and excluded.decision is not None
    assert excluded.decision.reason == "a refusé l'offre" and excluded.rank == 1  # the engine's place is kept

    # A hard filter the person fails is named (every profile here holds nl B1 = 3).
    filtered = reviewed.lookup("bakery", "half", k=2, filters=Filters(min_languages={"nl": 5}))
    assert filtered.reasons == ["filter.min_language.nl"] and filtered.rank is None
    assert reviewed.eligible("bakery", Filters(min_languages={"nl": 5})) == 0


def test_a_pin_of_someone_no_longer_indexed_is_listed_apart(runtime: Runtime) -> None:
    log = OversightStore(runtime.db)
    log.pin("bakery", "gone", "vu en entretien", "consultant.a")
    shown = ReviewedCandidates(runtime.engine, log).candidates("bakery", k=2)
    assert "gone" not in [c.match.id for c in shown.candidates]
    assert [d.jobseeker_id for d in shown.unavailable_pins] == ["gone"]


def test_the_rematch_reads_current_pins_and_exclusions_of_vacancies(fresh_runtime: Runtime) -> None:
    store = OversightStore(fresh_runtime.db)
    curations = OversightCurations(store)
    assert curations.for_lists(ProfileKind.vacancy, ["V-1"]) == {}
    assert curations.changed_since(ProfileKind.vacancy, None) == set()
    store.pin("V-1", "J-B", "strong bakery experience", "consultant.a")
    store.pin("V-1", "J-A", "asked by the employer", "consultant.a")
    store.exclude("V-1", "J-C", "withdrew", "consultant.a")
    store.exclude("V-2", "J-A", "already placed", "consultant.b")
    before_revocation = datetime.now(UTC)
    store.revoke("V-2", "J-A", "mistake", "consultant.b")
    lists = curations.for_lists(ProfileKind.vacancy, ["V-1", "V-2", "V-3"])
    assert lists == {"V-1": ListCuration(("J-B", "J-A"), frozenset({"J-C"}))}  # pinned in the order pinned
    assert curations.for_lists(ProfileKind.jobseeker, ["J-A"]) == {}  # a jobseeker's own list stays the engine's
    assert curations.changed_since(ProfileKind.vacancy, None) == {"V-1", "V-2"}
    assert curations.changed_since(ProfileKind.vacancy, before_revocation) == {"V-2"}
