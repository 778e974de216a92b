"""The restricted audit table, the audit-only import, audit runs on the service's lists, and the rule that the
ranking code never reads the audit table (checked by reading every import)."""

from __future__ import annotations

from pathlib import Path

import pytest

from matching.fairness import ExposureStore, InvalidAttributeFile, OversightStore, read_attribute_csv
from matching.fairness.exposure_run import exposure_audit_of_lists, run_exposure_audit
from skillmatch.runtime import Runtime
from skillmatch.settings import REPO_ROOT
from tests import esco_uris as U
from tests.factories import jobseeker_profile, vacancy_profile
from tests.test_imports import _imports

EXPOSURE_MODULES = {"matching.fairness.exposure", "matching.fairness.exposure_store", "matching.fairness.exposure_run"}
# What ranks, scores, explains, filters or builds the lists people see: none of it may reach the audit modules.
RANKING_MODULES = (
    "matching.ranking.engine",
    "matching.ranking.scoring",
    "matching.ranking.features",
    "matching.ranking.filters",
    "matching.ranking.explain",
    "matching.ranking.index",
    "matching.linking.linker",
    "matching.ranking.writer",
    "matching.profiles.store",
    "matching.fairness.reviewed",
    "matching.ranking.pair_score",
    "matching.guidance.skill_gap",
    "matching.guidance.basiskit",
    "matching.guidance.recruiting",
    "ingestion.service",
    "ingestion.profile_builder",
)


def _path(name: str) -> Path:
    path = REPO_ROOT / (name.replace(".", "/") + ".py")
    return path if path.exists() else REPO_ROOT / name.replace(".", "/") / "__init__.py"


def _module_imports(name: str) -> set[str]:
    found = _imports(_path(name))
    return {n for n in found if n.split(".")[0] in ("matching", "ingestion", "esco_data") and _exists(n)}


def _exists(name: str) -> bool:
    base = REPO_ROOT / name.replace(".", "/")
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def _reachable(start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo += sorted(_module_imports(name) - seen)
    return seen


@pytest.mark.parametrize("module", RANKING_MODULES)
def test_the_ranking_code_never_reads_the_audit_table(module: str) -> None:
    reached = _reachable(module)
    assert sorted(reached & EXPOSURE_MODULES) == []
    for name in reached:
        text = _path(name).read_text(encoding="utf-8")
        assert "audit_attribute" not in text, name


def test_the_import_check_can_fail() -> None:
    assert "matching.fairness.exposure_store" in _reachable("matching.fairness.exposure_run")


def test_audit_import_takes_only_audit_columns(tmp_path: Path, fresh_runtime: Runtime) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("id,gender,name\nJ1,F,Marie\n", encoding="utf-8")
    with pytest.raises(InvalidAttributeFile, match="'name' are not audit attributes"):
        list(read_attribute_csv(bad))
    good = tmp_path / "audit.csv"
    good.write_text("id,gender,age_band,nationality_group\nJ1,F,<26,EU\nJ2,M,26-45,BE\n,X,,\nJ3,F;DROP,,\n", "utf-8")
    store = ExposureStore(fresh_runtime.db)
    summary = store.import_rows(read_attribute_csv(good))
    assert (summary.imported, summary.updated, len(summary.rejected)) == (2, 0, 2)
    assert store.attributes() == {
        "J1": {"gender": "F", "age_band": "<26", "nationality_group": "EU"},
        "J2": {"gender": "M", "age_band": "26-45", "nationality_group": "BE"},
    }
    again = store.import_rows([{"id": "J1", "gender": "X"}])
    assert again.updated == 1 and store.attributes()["J1"] == {"gender": "X"}


def test_an_erased_dossier_keeps_its_audit_row_as_an_id_and_is_never_filled_again(fresh_runtime: Runtime) -> None:
    store = ExposureStore(fresh_runtime.db)
    store.import_rows([{"id": "J1", "gender": "F", "age_band": ">55"}])
    assert store.erase(["J1"]) == 1
    row = store.of("J1")
    assert row is not None and row["erased_at"] and not any(row[a] for a in ("gender", "age_band"))
    assert store.attributes() == {}
    assert store.import_rows([{"id": "J1", "gender": "F"}]).skipped_erased == 1
    assert store.attributes() == {}


@pytest.fixture
def bakers(fresh_runtime: Runtime) -> Runtime:
    """Twenty bakers alike in every way that matching reads, and four bakery vacancies."""
    skills = (U.BAKE_GOODS, U.KNEAD_FOOD)
    fresh_runtime.writer.write(
        [jobseeker_profile(f"j{i:02d}", U.BAKER, *skills) for i in range(20)]
        + [vacancy_profile(f"v{i}", U.BAKER, *skills) for i in range(4)]
    )
    return fresh_runtime


def test_a_biased_list_raises_the_alert_and_an_unbiased_one_does_not(bakers: Runtime) -> None:
    people = [f"j{i:02d}" for i in range(20)]
    attributes = {p: {"gender": "F" if i % 2 else "M"} for i, p in enumerate(people)}
    women = [p for p in people if attributes[p]["gender"] == "F"]
    men = [p for p in people if attributes[p]["gender"] == "M"]
    biased = {f"v{i}": men[:8] + women[:2] for i in range(4)}  # women pushed down to places 9 and 10
    fair = {f"v{i}": [x for pair in zip(men, women, strict=True) for x in pair][:10] for i in range(4)}
    run = exposure_audit_of_lists(bakers.engine, biased, attributes, min_expected=1)
    assert {(a.attribute, a.group) for a in run.engine.alerts} >= {("gender", "F"), ("gender", "M")}
    assert run.engine.attributes["gender"]["F"].ratio == pytest.approx(0.4, abs=1e-3)
    assert exposure_audit_of_lists(bakers.engine, fair, attributes, min_expected=1).engine.alerts == []


def test_the_audit_measures_the_engine_and_what_people_see(bakers: Runtime) -> None:
    people = [f"j{i:02d}" for i in range(20)]
    audit, log = ExposureStore(bakers.db), OversightStore(bakers.db)
    audit.import_rows([{"id": p, "gender": "F" if i < 10 else "M"} for i, p in enumerate(people)])
    before = run_exposure_audit(bakers.engine, audit, log, min_expected=1)
    assert before.lists == 4 and before.run_id is not None
    assert before.engine.to_json() == before.shown.to_json()
    # A consultant excludes every woman the engine placed in v0's top 10: the shown view moves, the engine's not.
    top = [m.id for m in bakers.engine.candidates("v0", 10)]
    for person in top:
        if int(person[1:]) < 10:
            log.exclude("v0", person, "test", "consultant")
    after = run_exposure_audit(bakers.engine, audit, log, min_expected=1)
    assert after.engine.to_json() == before.engine.to_json()
    shown_women = after.shown.attributes["gender"]["F"].ratio
    engine_women = after.engine.attributes["gender"]["F"].ratio
    assert shown_women is not None and engine_women is not None and shown_women < engine_women
    kept = audit.run(after.run_id)
    assert kept is not None and kept["report"]["shown"] == after.shown.to_json()
    assert [r["id"] for r in audit.runs()] == [after.run_id, before.run_id]
