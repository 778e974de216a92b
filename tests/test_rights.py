"""Jobseekers' rights: the notice in their language, export, opting out, contests, erasure, retention purge."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from ingestion.schemas import JobseekerIn, VacancyIn
from matching.errors import UnknownProfile
from matching.profiles import ProfileKind
from skillmatch.runtime import Runtime
from tests.factories import jobseeker, vacancy


@pytest.fixture
def runtime(fresh_runtime: Runtime) -> Runtime:
    """Two French bakers and a Dutch one, and a bakery vacancy, ingested the normal way."""
    service = fresh_runtime.ingestion
    for record in (
        jobseeker(),
        jobseeker(id="J-BAKER-2"),
        jobseeker(id="J-BAKER-NL", preferred_language="nl", languages={"nl": "C2", "fr": "B1"}),
    ):
        service.store_one(JobseekerIn.model_validate(record))
    service.store_one(VacancyIn.model_validate(vacancy()))
    return fresh_runtime


def _candidates(runtime: Runtime) -> list[str]:
    return [m.id for m in runtime.engine.candidates("V-BAKKER-NL", 10)]


def test_the_notice_speaks_the_jobseekers_language_and_states_the_engines_weights(runtime: Runtime) -> None:
    rights = runtime.fairness.rights
    nl, fr = rights.notice("J-BAKER-NL"), rights.notice("J-BAKER-FR")
    assert (nl.lang, nl.title) == ("nl", "Hoe uw suggesties tot stand komen")
    assert fr.lang == "fr" and "automatiquement" in fr.paragraphs[0]
    assert any("consulent" in p for p in nl.paragraphs)  # how to contest: it reaches a consultant
    assert sum(nl.parts.values()) == pytest.approx(1.0, abs=0.01)
    weights = runtime.engine.scorer.weights.normalised()
    assert max(nl.parts, key=lambda c: nl.parts[c]) == max(nl.parts, key=lambda c: weights[list(nl.parts).index(c)])
    assert str(runtime.settings.retention_days) in fr.paragraphs[-1]


def test_export_is_json_with_everything_stored(runtime: Runtime) -> None:
    rights = runtime.fairness.rights
    runtime.fairness.oversight.pin("V-BAKKER-NL", "J-BAKER-FR", "profil complet", "consultant.a")
    rights.contest("J-BAKER-FR", "Pourquoi cette offre ?", "V-BAKKER-NL")
    runtime.fairness.exposure.import_rows([{"id": "J-BAKER-FR", "gender": "F"}])
    data = json.loads(json.dumps(rights.export("J-BAKER-FR")))
    assert data["dossier"]["id"] == "J-BAKER-FR" and data["profile"]["id"] == "J-BAKER-FR"
    assert data["decisions"][0]["reason"] == "profil complet"
    assert data["contests"][0]["message"] == "Pourquoi cette offre ?"
    assert data["audit_attributes"]["gender"] == "F" and data["opted_out"] is False
    with pytest.raises(UnknownProfile):
        rights.export("J-NOBODY")


def test_opting_out_leaves_every_candidate_list_but_keeps_ones_own_suggestions(runtime: Runtime) -> None:
    rights = runtime.fairness.rights
    assert "J-BAKER-FR" in _candidates(runtime)
    assert rights.set_opt_out("J-BAKER-FR") is True and rights.set_opt_out("J-BAKER-FR") is False
    assert "J-BAKER-FR" not in _candidates(runtime)
    assert [m.id for m in runtime.engine.vacancies_for("J-BAKER-FR", 5)] == ["V-BAKKER-NL"]
    # A changed dossier stays out of the lists.
    runtime.ingestion.store_one(JobseekerIn.model_validate(jobseeker(postcode="1050")))
    assert "J-BAKER-FR" not in _candidates(runtime)
    assert rights.set_opt_out("J-BAKER-FR", False) is True
    assert "J-BAKER-FR" in _candidates(runtime)


def test_a_contest_reaches_a_consultant_who_answers(runtime: Runtime) -> None:
    rights = runtime.fairness.rights
    made = rights.contest("J-BAKER-NL", "Ik ben geen bakker meer.")
    assert [c["id"] for c in rights.contests(status="open")] == [made["id"]]
    answered = rights.answer(made["id"], "consultant.b", "Uw profiel is aangepast.")
    assert answered["status"] == "answered" and answered["answered_by"] == "consultant.b"
    assert rights.contests(status="open") == []


def test_erasure_removes_the_dossier_and_keeps_decisions_and_audit_rows_as_ids(runtime: Runtime) -> None:
    fairness = runtime.fairness
    fairness.oversight.exclude("V-BAKKER-NL", "J-BAKER-2", "a dit ne plus chercher", "consultant.a")
    fairness.exposure.import_rows([{"id": "J-BAKER-2", "gender": "M", "age_band": ">55"}])
    fairness.rights.contest("J-BAKER-2", "Effacez-moi")
    erased = fairness.rights.erase("J-BAKER-2")
    assert (erased.record, erased.profile, erased.contests) == (True, True, 1)
    assert erased.decisions_kept_as_ids == 1 and erased.audit_kept_as_id == 1
    with pytest.raises(UnknownProfile):
        runtime.store.get(ProfileKind.jobseeker, "J-BAKER-2")
    assert "J-BAKER-2" not in _candidates(runtime)
    (event,) = fairness.oversight.history(jobseeker_id="J-BAKER-2")
    assert "ne plus chercher" not in event.reason and event.actor == "consultant.a"
    audit_row = fairness.exposure.of("J-BAKER-2")
    assert audit_row is not None and audit_row["gender"] is None and audit_row["erased_at"]
    with pytest.raises(UnknownProfile):
        fairness.rights.erase("J-BAKER-2")


def test_the_purge_erases_dossiers_inactive_beyond_the_retention_period(runtime: Runtime) -> None:
    rights = runtime.fairness.rights
    runtime.ingestion.store_one(JobseekerIn.model_validate(jobseeker(id="J-BAKER-2", active=False)))
    now = datetime.now(UTC)
    assert rights.purge_inactive(now).erased == []  # inactive, but not for long enough
    later = now + timedelta(days=rights.retention_days + 1)
    listed = rights.purge_inactive(later, dry_run=True)
    assert listed.erased == ["J-BAKER-2"] and rights.export("J-BAKER-2")["dossier"]
    assert rights.purge_inactive(later).erased == ["J-BAKER-2"]
    with pytest.raises(UnknownProfile):
        rights.export("J-BAKER-2")
    assert rights.export("J-BAKER-FR")["dossier"]  # active dossiers are never purged
