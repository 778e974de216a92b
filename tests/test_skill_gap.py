"""Skill gap, basiskit and recruiting-occupation suggestions, each checked against a brute-force computation."""

from __future__ import annotations

import pytest

from matching.guidance import RecruitingOccupations, link_titles, read_shortage_list
from matching.guidance.basiskit import basiskit, digital_skills
from matching.guidance.skill_gap import SkillGapConfig, missing_required, skill_gaps, top_vacancies, with_skill
from matching.profiles import ProfileKind
from matching.ranking import Region
from skillmatch.runtime import Runtime
from skillmatch.settings import DEFAULT_SHORTAGE_LIST
from tests import esco_uris as U
from tests.factories import jobseeker_profile, vacancy_profile

ME = jobseeker_profile("me", U.BAKER, U.BAKE_GOODS, languages={"fr": 6})


@pytest.fixture
def runtime(fresh_runtime: Runtime) -> Runtime:
    """Eight vacancies of the slice's occupations, each asking the essential skills ESCO gives them."""
    tax = fresh_runtime.taxonomy
    vacancies = []
    for i, occ in enumerate((U.BAKER, U.PASTRY_MAKER, U.COOK, U.KITCHEN_PORTER, U.ACCOUNTANT, U.SOFTWARE_DEVELOPER)):
        essential = sorted(tax.skills_of(occ).essential)[:6]
        vacancies.append(vacancy_profile(f"v{i}", occ, *essential, languages={"nl": 4} if i % 2 else {"fr": 3}))
    vacancies.append(vacancy_profile("v-dev-haskell", U.SOFTWARE_DEVELOPER, U.HASKELL, languages={"en": 4}))
    vacancies.append(vacancy_profile("v-bakery-2", U.BAKER, U.BAKE_GOODS, U.KNEAD_FOOD, U.TEND_BAKERY_OVENS))
    fresh_runtime.writer.write(vacancies)
    return fresh_runtime


def test_skill_gap_equals_the_brute_force_over_every_skill_a_vacancy_asks(runtime: Runtime) -> None:
    engine = runtime.engine
    stored = list(runtime.store.all(ProfileKind.vacancy))
    asked = {s.uri for p in stored for s in p.skills} - set(ME.skill_uris())
    changed = 0
    for k in range(1, len(stored)):
        report = skill_gaps(engine, ME, config=SkillGapConfig(k=k, candidates=len(stored)), limit=1_000)
        top = top_vacancies(engine, ME, k)
        brute = {}
        for uri in sorted(asked):
            entering = [v for v in top_vacancies(engine, with_skill(ME, uri), k) if v not in top]
            if entering:
                brute[uri] = entering
        assert report.top == top and report.tried <= len(asked)
        assert {g.uri: g.vacancies for g in report.skills} == brute, k
        gains = [g.gain for g in report.skills]
        assert gains == sorted(gains, reverse=True)
        changed += bool(brute)
    assert changed, "no skill changes any top k: the check would prove nothing"


def test_missing_required_skills_of_a_vacancy_are_the_required_ones_not_held(runtime: Runtime) -> None:
    found = missing_required(runtime.engine, ME, "v-bakery-2")
    missing = {s.skill.uri for s in found["missing"]} | {s.skill.uri for s in found["partial"]}
    assert missing == {U.KNEAD_FOOD, U.TEND_BAKERY_OVENS}
    assert U.BAKE_GOODS not in {s.skill.uri for s in found["missing"]}


def test_basiskit_gaps_equal_what_the_vacancies_ask_and_the_jobseeker_lacks(runtime: Runtime) -> None:
    kit = basiskit(runtime.engine, ME, n=20)
    assert kit.languages == {"fr": "C2"}
    digital = digital_skills(runtime.taxonomy)
    assert U.HASKELL in digital
    stored = {p.id: p for p in runtime.store.all(ProfileKind.vacancy)}
    assert kit.considered == len(stored)
    for gap in kit.vacancies:
        vacancy = stored[gap.vacancy_id]
        short = {lang for lang, level in vacancy.languages.items() if ME.languages.get(lang, 0) < level}
        assert set(gap.languages) == short
        assert {d["uri"] for d in gap.digital} == {s.uri for s in vacancy.skills if s.uri in digital}
    with_gap = {g.vacancy_id for g in kit.vacancies}
    brute = {
        v.id
        for v in stored.values()
        if any(ME.languages.get(lang, 0) < level for lang, level in v.languages.items())
        or any(s.uri in digital for s in v.skills)
    }
    assert with_gap == brute
    assert kit.needed_languages["nl"]["level"] == "B2"
    assert U.HASKELL in {d["uri"] for d in kit.needed_digital}


def test_the_shortage_list_is_read_with_its_regions() -> None:
    titles = read_shortage_list(DEFAULT_SHORTAGE_LIST)
    counts = {r: sum(1 for t in titles if t.region is r) for r in Region}
    assert counts == {Region.brussels: 84, Region.flanders: 228, Region.wallonia: 56}


def test_recruiting_marks_and_suggestions_equal_the_brute_force(runtime: Runtime) -> None:
    tax = runtime.taxonomy
    titles = [t for t in read_shortage_list(DEFAULT_SHORTAGE_LIST) if t.title.startswith(("Comptable", "Kok"))]
    rows = link_titles(runtime.linker, titles, {"fr": 0.0, "nl": 0.0})
    recruiting = RecruitingOccupations(tax, rows)
    linked = {(r["region"], r["uri"]) for r in rows}
    assert ("brussels", U.ACCOUNTANT) in linked and ("flanders", U.COOK) in linked
    # A vacancy is marked by the list of its own region (postcode): a cook in Gent, not in Brussels.
    assert recruiting.mark(vacancy_profile("x", U.COOK, postcode="9000")) is not None
    assert recruiting.mark(vacancy_profile("x", U.COOK, postcode="1000")) is None
    assert recruiting.mark(vacancy_profile("x", U.ACCOUNTANT, postcode="1000")) is not None
    # The link threshold keeps low-scoring titles for review.
    strict = link_titles(runtime.linker, titles, {"fr": 2.0})
    assert {r["status"] for r in strict} == {"review"}  # French above every score, Dutch without a threshold

    seeker = jobseeker_profile("s", U.KITCHEN_PORTER, *sorted(tax.skills_of(U.COOK).essential)[:3])
    seeker.regions = ("brussels", "flanders")
    suggested = recruiting.suggest(seeker)
    occupations = {uri for (_, uri) in linked if uri in tax and uri != U.KITCHEN_PORTER}
    occupations = {u for u in occupations if tax.concept(u).kind.value == "occupation"}
    held = set(seeker.skill_uris())
    brute = sorted(
        occupations,
        key=lambda u: (
            len(set(tax.skills_of(u).essential) - held),
            -len(set(tax.skills_of(u).essential) & held),
            tax.label(u, "fr").text,
        ),
    )
    assert [s.uri for s in suggested] == brute
    for s in suggested:
        assert {m["uri"] for m in s.missing} == set(tax.skills_of(s.uri).essential) - held
