"""The matching engine on hand-made profiles whose right answer is known."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from esco_data import ConceptKind, Language, Relation
from matching.errors import IndexNotBuilt, UnknownProfile
from matching.profiles import ProfileKind
from matching.ranking import COMPONENTS, Filters, MatchingEngine
from matching.ranking.index_files import load_indexes, save_indexes
from skillmatch.runtime import Runtime
from tests import esco_uris as U
from tests.factories import jobseeker_profile as jobseeker
from tests.factories import vacancy_profile as vacancy

REQUIRED = (U.BAKE_GOODS, U.KNEAD_FOOD, U.TEND_BAKERY_OVENS, U.APPLY_HACCP)


@pytest.fixture
def engine(slice_runtime: Runtime) -> MatchingEngine:
    """An engine of its own (no store) over the slice's concept space, with a few jobseekers and vacancies."""
    rt = slice_runtime
    engine = MatchingEngine(rt.taxonomy, rt.linker.space, rt.engine.scorer.related)
    engine.upsert(
        [
            jobseeker("full", U.BAKER, *REQUIRED),
            jobseeker("half", U.BAKER, U.BAKE_GOODS, U.KNEAD_FOOD),
            jobseeker("pastry", U.PASTRY_MAKER, U.MOULD_DOUGHS, U.KNEAD_FOOD),
            jobseeker("cook", U.COOK, U.ORDER_SUPPLIES, U.APPLY_HACCP),
            jobseeker("accountant", U.ACCOUNTANT, U.CALCULATE_TAX),
            vacancy("bakery", U.BAKER, *REQUIRED),
            vacancy("kitchen", U.COOK, U.ORDER_SUPPLIES),
            vacancy("office", U.ACCOUNTANT, U.CALCULATE_TAX),
        ]
    )
    return engine


def test_candidates_rank_by_fit(engine: MatchingEngine) -> None:
    ids = [m.id for m in engine.candidates(vacancy("q", U.BAKER, *REQUIRED), k=5)]
    assert ids[:3] == ["full", "half", "pastry"]
    assert ids[-1] == "accountant"


def test_vacancies_for_a_jobseeker(engine: MatchingEngine) -> None:
    ids = [m.id for m in engine.vacancies_for(jobseeker("q", U.BAKER, *REQUIRED), k=3)]
    assert ids == ["bakery", "kitchen", "office"]


def test_scores_never_increase_and_components_are_in_range(engine: MatchingEngine) -> None:
    matches = engine.candidates(vacancy("q", U.BAKER, *REQUIRED), k=5)
    scores = [m.score for m in matches]
    assert scores == sorted(scores, reverse=True)
    for match in matches:
        assert list(match.components) == list(COMPONENTS)
        assert all(0.0 <= v <= 1.0 for v in match.components.values())
    full = matches[0].components
    assert full["essential"] == 1.0 and full["language"] == 1.0 and full["location"] == 1.0


def test_explanation_names_matched_partial_and_missing_skills(engine: MatchingEngine) -> None:
    matches = {m.id: m for m in engine.candidates(vacancy("q", U.BAKER, *REQUIRED), k=5, lang="nl")}
    half = matches["half"].explanation
    assert half is not None
    assert {s.skill.uri for s in half.matched} == {U.BAKE_GOODS, U.KNEAD_FOOD}
    assert {s.skill.uri for s in half.missing} | {s.skill.uri for s in half.partial} == {
        U.TEND_BAKERY_OVENS,
        U.APPLY_HACCP,
    }
    # Labels in the reader's language: Dutch where ESCO has it.
    bake = next(s for s in half.matched if s.skill.uri == U.BAKE_GOODS)
    assert (bake.skill.label, bake.skill.lang, bake.skill.fallback) == ("bakkerswaren bakken", "nl", False)
    # "mould doughs" is narrower than "bake goods" in ESCO: a partial cover that names the covering skill.
    pastry = matches["pastry"].explanation
    assert pastry is not None
    partial = next(s for s in pastry.partial if s.skill.uri == U.BAKE_GOODS)
    assert partial.covered_by is not None and partial.covered_by.uri == U.MOULD_DOUGHS
    assert partial.relation == "hierarchy" and 0 < partial.credit < 1
    assert [lang.language for lang in pastry.languages] == ["nl"]
    assert pastry.languages[0].required == "B1" and pastry.languages[0].held == "B1" and pastry.languages[0].met
    assert pastry.location["same_commune"] is True


def test_fallback_label_is_flagged(engine: MatchingEngine) -> None:
    query = vacancy("q", U.BAKER, U.MONITOR_FLOUR_UNLOADING)
    explanation = engine.candidates(query, k=1, lang="nl")[0].explanation
    assert explanation is not None
    item = (explanation.matched + explanation.partial + explanation.missing)[0]
    assert item.skill.lang == "fr" and item.skill.fallback


def test_language_requirement_lowers_the_score(engine: MatchingEngine) -> None:
    strict = vacancy("q", U.BAKER, *REQUIRED, languages={"nl": 5})
    full = next(m for m in engine.candidates(strict, k=5) if m.id == "full")
    assert full.components["language"] < 1.0
    explanation = full.explanation
    assert explanation is not None and not explanation.languages[0].met


def test_hard_filters(engine: MatchingEngine) -> None:
    query = vacancy("q", U.BAKER, *REQUIRED)
    assert engine.candidates(query, k=5, filters=Filters(min_languages={"nl": 4})) == []
    engine.upsert([jobseeker("driver", U.BAKER, *REQUIRED, driving_licences=("B",), languages={"nl": 5})])
    assert [m.id for m in engine.candidates(query, k=5, filters=Filters(driving_licences=("B",)))] == ["driver"]
    assert [m.id for m in engine.candidates(query, k=5, filters=Filters(min_languages={"nl": 4}))] == ["driver"]
    engine.upsert([jobseeker("ghent", U.BAKER, *REQUIRED, postcode="9000")])
    near = [m.id for m in engine.candidates(query, k=10, filters=Filters(max_km=20))]
    assert "ghent" not in near and "full" in near
    assert [m.id for m in engine.candidates(query, k=10, filters=Filters(regions=("flanders",)))] == ["ghent"]


def test_inactive_profiles_leave_the_index(engine: MatchingEngine) -> None:
    query = vacancy("q", U.BAKER, *REQUIRED)
    engine.upsert([jobseeker("full", U.BAKER, *REQUIRED, active=False)])
    assert "full" not in [m.id for m in engine.candidates(query, k=10)]
    engine.upsert([jobseeker("full", U.BAKER, *REQUIRED)])
    assert engine.candidates(query, k=1)[0].id == "full"


def test_update_and_remove_without_rebuild(engine: MatchingEngine) -> None:
    query = vacancy("q", U.BAKER, *REQUIRED)
    engine.upsert([jobseeker("accountant", U.BAKER, *REQUIRED)])  # retrained: now a full baker
    top = [m.id for m in engine.candidates(query, k=2)]
    assert set(top) == {"full", "accountant"}
    assert engine.remove(ProfileKind.jobseeker, "full")
    assert not engine.remove(ProfileKind.jobseeker, "full")
    assert "full" not in [m.id for m in engine.candidates(query, k=10)]


def test_save_and_load(engine: MatchingEngine, slice_runtime: Runtime, tmp_path: Path) -> None:
    query = vacancy("q", U.BAKER, *REQUIRED)
    before = [(m.id, m.score) for m in engine.candidates(query, k=5)]
    save_indexes(engine, tmp_path / "idx")
    rt = slice_runtime
    other = MatchingEngine(rt.taxonomy, rt.linker.space, rt.engine.scorer.related)
    for kind, loaded in load_indexes(other, tmp_path / "idx").items():
        assert loaded.state is not None, loaded.problem
        other.replace(kind, loaded.state)
    assert [(m.id, m.score) for m in other.candidates(query, k=5)] == before
    changed = MatchingEngine(rt.taxonomy, rt.linker.space, rt.engine.scorer.related, source="another database")
    problems = {loaded.problem for loaded in load_indexes(changed, tmp_path / "idx").values()}
    assert problems == {"built for another source"}


def test_unknown_and_empty(slice_runtime: Runtime) -> None:
    rt = slice_runtime
    empty = MatchingEngine(rt.taxonomy, rt.linker.space, rt.engine.scorer.related)
    with pytest.raises(IndexNotBuilt):
        empty.candidates(vacancy("q", U.BAKER, *REQUIRED))
    with pytest.raises(UnknownProfile, match="no vacancy with id 'nope'"):
        rt.engine.candidates("nope")


def test_profile_vector_is_unit_and_language_free(engine: MatchingEngine) -> None:
    a = engine.features.build(jobseeker("a", U.BAKER, *REQUIRED))
    b = engine.features.build(vacancy("b", U.BAKER, *REQUIRED))
    assert abs(float(np.linalg.norm(a.vector)) - 1.0) < 1e-5
    assert float(a.vector @ b.vector) > 0.95  # the same concepts, whatever the languages of the records


def test_skills_vote_for_the_occupations_that_list_them(engine: MatchingEngine) -> None:
    """With no title, the occupations are the skills' vote: per occupation the sum of its skills' weights (an
    optional relation counts half), the five best kept, ties in the order of their first vote."""
    taxonomy = engine.features.taxonomy
    skills = sorted({c.uri for c in taxonomy.concepts(ConceptKind.skill) if taxonomy.occupations_of(c.uri)})
    rng = np.random.default_rng(7)
    tied = 0
    for i in range(200):
        chosen = [skills[int(j)] for j in rng.choice(len(skills), size=int(rng.integers(1, 8)), replace=False)]
        profile = jobseeker(f"p{i}", U.BAKER, *chosen)
        profile.occupations = []
        features = engine.features.build(profile)
        votes: dict[str, float] = {}
        for concept in profile.skills:
            weight = features.skills[concept.uri]
            for occupation, relation in taxonomy.occupations_of(concept.uri):
                share = 1.0 if relation is Relation.essential else 0.5
                votes[occupation] = votes.get(occupation, 0.0) + weight * share
        best = sorted(votes.items(), key=lambda kv: -kv[1])[:5]  # a stable sort: ties keep their first vote's order
        total = sum(v for _, v in best)
        assert list(features.occupations.items()) == [(o, v / total) for o, v in best]
        tied += len({v for _, v in best}) < len(best)
    assert tied > 10  # ties were met, so their order was checked


def test_the_wiring_passes_the_score_weights_and_the_default_language_of_the_settings(slice_runtime: Runtime) -> None:
    from skillmatch.runtime import matching_engine

    rt = slice_runtime
    settings = rt.settings.model_copy(
        update={"score_cosine": 0.9, "score_language_gap": 0.25, "default_language": Language.nl}
    )
    built = matching_engine(settings, rt.db, rt.taxonomy, rt.engine.space, rt.engine.scorer.related, rt.store)
    assert (built.scorer.weights.cosine, built.scorer.weights.language_gap) == (0.9, 0.25)
    assert (built.default_language, rt.engine.default_language) == ("nl", "fr")
    assert rt.engine.scorer.weights == rt.settings.score_weights()
