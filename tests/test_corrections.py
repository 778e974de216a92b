"""Corrections of what the engine understood from a record, through the API: a consultant confirms or corrects a
vacancy's occupation, skills and languages (stated at once, with provenance, audited, and learned for the same
phrase); a jobseeker corrects their own dossier only and teaches nothing; an administrator lists and undoes
learned links, which relinks the records they changed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from ingestion.models import RecordKind
from matching.profiles import ProfileKind
from skillmatch.runtime import Runtime
from tests.auth import OTHER_DOSSIER, OWN_DOSSIER, Tokens, bearer, make_tokens
from tests.esco_uris import BAKER, COOK, KNEAD_FOOD, OCC, PASTRY_MAKER, SKILL, TEND_BAKERY_OVENS
from tests.factories import jobseeker, vacancy

TITLE = "Ouvrier boulanger (H/F)"
AD = vacancy(
    id="V-OUVRIER",
    language="fr",
    title=TITLE,
    description="Profil recherché : vous savez pétrir des denrées alimentaires. Vous parlez néerlandais.",
    required_skills=[],
    language_requirements={},
)


@pytest.fixture
def world(fresh_runtime: Runtime) -> Iterator[tuple[Runtime, Tokens, TestClient]]:
    app = create_app(db=fresh_runtime.db, services=fresh_runtime)
    tokens = make_tokens(fresh_runtime.db)
    with TestClient(app) as client:
        fresh_runtime.ingestion.ingest_one(RecordKind.jobseeker, jobseeker())
        fresh_runtime.ingestion.ingest_one(
            RecordKind.jobseeker,
            jobseeker(id="J-PATISSIER", experiences=[{"title": "Pâtissier", "years": 5}], skills=[], summary=None),
        )
        fresh_runtime.ingestion.ingest_one(RecordKind.vacancy, AD)
        yield fresh_runtime, tokens, client


def _as(tokens: Tokens, role: str) -> dict[str, str]:
    return bearer(getattr(tokens, role))


def _has(items: list[dict[str, Any]], **fields: Any) -> bool:
    """Whether some item of a stored list holds these fields (stored items carry every field, None included)."""
    return any(all(item.get(k) == v for k, v in fields.items()) for item in items)


def _ok(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_consultant_confirms_another_occupation_it_is_stated_audited_learned_and_undone(
    world: tuple[Runtime, Tokens, TestClient],
) -> None:
    runtime, tokens, client = world
    consultant, admin = _as(tokens, "consultant"), _as(tokens, "admin")
    shown = _ok(client.get("/vacancies/V-OUVRIER", headers=consultant))
    [proposals] = [link for link in shown["links"] if link["kind"] == "proposals"]
    proposed = [p["uri"] for p in proposals["proposals"]]
    assert proposals["field"] == "title" and 1 <= len(proposed) <= 5 and PASTRY_MAKER != proposed[0]
    before = [m["id"] for m in _ok(client.get("/vacancies/V-OUVRIER/candidates", headers=consultant))]

    done = _ok(client.put("/vacancies/V-OUVRIER/occupation", json={"uri": PASTRY_MAKER}, headers=consultant))
    assert done["status"] == "updated"
    assert done["record"]["data"]["occupation_uri"] == PASTRY_MAKER  # stated
    correction = done["correction"]
    assert correction["action"] == "occupation" and correction["field"] == "occupation_uri"
    assert correction["proposed"] == proposed and correction["chosen"] == PASTRY_MAKER
    assert correction["previous"] == {"value": None} and correction["phrase"] == TITLE
    assert correction["actor"].startswith("user:") and correction["role"] == "consultant"
    [learned] = done["learned"]
    assert (learned["verdict"], learned["uri"], learned["record_id"]) == ("confirmed", PASTRY_MAKER, "V-OUVRIER")
    assert done["record"]["corrections"][-1]["id"] == correction["id"]
    # The matches change at once: the pastry maker now leads.
    after = [m["id"] for m in _ok(client.get("/vacancies/V-OUVRIER/candidates", headers=consultant))]
    assert after[0] == "J-PATISSIER" and after != before
    audit = _ok(client.get("/audit?action=record_correction", headers=admin))
    assert audit[0]["target"] == "V-OUVRIER" and audit[0]["params"]["chosen"] == PASTRY_MAKER
    assert audit[0]["params"]["learned_links"] == [learned["id"]]

    # The same title, written otherwise, is now proposed with the confirmed occupation first.
    again = vacancy(id="V-OUVRIER-2", language="fr", title="OUVRIER BOULANGER - Bruxelles", required_skills=[])
    assert client.post("/vacancies", json=again, headers=consultant).status_code == 201
    links = _ok(client.get("/vacancies/V-OUVRIER-2", headers=consultant))["links"]
    [chosen] = [link for link in links if link["kind"] == "occupation"]
    assert chosen["uri"] == PASTRY_MAKER and chosen["learned_link"] == learned["id"] and chosen["confirmed_on"]

    # An administrator finds it and undoes it: the correction is undone, the other vacancy linked again.
    found = _ok(client.get("/admin/learned-links?q=boulanger&kind=occupation", headers=admin))
    assert [x["id"] for x in found] == [learned["id"]]
    undone = _ok(client.post(f"/admin/learned-links/{learned['id']}/undo", headers=admin))
    assert undone["reverted"] == ["vacancy:V-OUVRIER"] and undone["relinked"] == ["vacancy:V-OUVRIER-2"]
    assert undone["link"]["undone_at"] and undone["link"]["undone_by"].startswith("user:")
    assert _ok(client.get("/vacancies/V-OUVRIER", headers=consultant))["data"]["occupation_uri"] is None
    links = _ok(client.get("/vacancies/V-OUVRIER-2", headers=consultant))["links"]
    assert all("learned_link" not in link for link in links)
    assert [m["id"] for m in _ok(client.get("/vacancies/V-OUVRIER/candidates", headers=consultant))] == before
    assert _ok(client.get("/audit?action=learned_link_undo", headers=admin))[0]["result_ids"] == [str(learned["id"])]
    conflict = client.post(f"/admin/learned-links/{learned['id']}/undo", headers=admin)
    assert conflict.status_code == 409 and conflict.json()["code"] == "conflict"
    assert client.post("/admin/learned-links/999999/undo", headers=admin).status_code == 404


def test_a_jobseeker_corrects_their_own_dossier_only_and_teaches_nothing(
    world: tuple[Runtime, Tokens, TestClient],
) -> None:
    runtime, tokens, client = world
    own = _as(tokens, "jobseeker")
    body = {"item": "experiences[0]", "uri": COOK}
    done = _ok(client.put(f"/jobseekers/{OWN_DOSSIER}/occupation", json=body, headers=own))
    assert done["record"]["data"]["experiences"][0]["occupation_uri"] == COOK
    assert done["learned"] == [] and done["correction"]["learned_links"] == []
    assert done["correction"]["role"] == "jobseeker"
    assert runtime.linker.learned is not None and runtime.linker.learned.search() == []
    refused = client.put(f"/jobseekers/{OTHER_DOSSIER}/occupation", json=body, headers=own)
    assert refused.status_code == 403
    missing = client.put(
        f"/jobseekers/{OWN_DOSSIER}/occupation", json={"item": "experiences[3]", "uri": COOK}, headers=own
    )
    assert missing.status_code == 422
    assert missing.json()["errors"] == [{"field": "item", "reason": "the dossier has no experiences[3]"}]
    # Erasing the dossier erases its corrections with it.
    assert client.delete(f"/jobseekers/{OWN_DOSSIER}", headers=own).status_code == 204
    assert runtime.corrections.history(RecordKind.jobseeker, OWN_DOSSIER) == []


def test_removing_a_skill_read_from_text_excludes_it_and_rejects_it_for_that_phrase(
    world: tuple[Runtime, Tokens, TestClient],
) -> None:
    runtime, tokens, client = world
    consultant = _as(tokens, "consultant")
    links = _ok(client.get("/vacancies/V-OUVRIER", headers=consultant))["links"]
    assert KNEAD_FOOD in {link["uri"] for link in links if link["kind"] == "skill"}
    assert [(x["lang"], x["level"]) for x in links if x["kind"] == "language"] == [("nl", "B1")]  # no skill
    done = _ok(client.delete(f"/vacancies/V-OUVRIER/skills?uri={KNEAD_FOOD}", headers=consultant))
    assert done["record"]["data"]["excluded_skills"] == [KNEAD_FOOD]
    assert KNEAD_FOOD not in {link.get("uri") for link in done["record"]["links"]}
    assert [(x["verdict"], x["uri"]) for x in done["learned"]] == [("rejected", KNEAD_FOOD)]
    profile = runtime.store.get(ProfileKind.vacancy, "V-OUVRIER")
    assert KNEAD_FOOD not in {c.uri for c in profile.skills}
    # Another ad with the same phrase no longer gets it.
    other = AD | {"id": "V-OTHER", "title": "Boulanger"}
    client.post("/vacancies", json=other, headers=consultant)
    other_links = _ok(client.get("/vacancies/V-OTHER", headers=consultant))["links"]
    assert KNEAD_FOOD not in {link["uri"] for link in other_links if link["kind"] == "skill"}
    # Adding it back states it (a person may always state a skill).
    added = _ok(client.post("/vacancies/V-OUVRIER/skills", json={"uri": KNEAD_FOOD}, headers=consultant))
    assert _has(added["record"]["data"]["required_skills"], uri=KNEAD_FOOD, source="consultant")
    assert added["record"]["data"]["excluded_skills"] == []


def test_adding_a_skill_for_a_phrase_states_it_and_teaches_the_phrase(
    world: tuple[Runtime, Tokens, TestClient],
) -> None:
    runtime, tokens, client = world
    consultant = _as(tokens, "consultant")
    body = {"uri": TEND_BAKERY_OVENS, "text": "conduite du four", "required": False}
    done = _ok(client.post("/vacancies/V-OUVRIER/skills", json=body, headers=consultant))
    stated = done["record"]["data"]["nice_to_have_skills"]
    assert _has(stated, uri=TEND_BAKERY_OVENS, text="conduite du four", source="consultant")
    [learned] = done["learned"]
    assert (learned["kind"], learned["phrase"], learned["verdict"]) == ("skill", "conduite du four", "confirmed")
    assert runtime.linker.link("Conduite du four", "skill", k=1)[0].uri == TEND_BAKERY_OVENS


def test_language_levels_are_set_and_removed_with_clear_errors(world: tuple[Runtime, Tokens, TestClient]) -> None:
    runtime, tokens, client = world
    consultant = _as(tokens, "consultant")
    done = _ok(client.put("/vacancies/V-OUVRIER/languages/nl", json={"level": "B2"}, headers=consultant))
    assert done["record"]["data"]["language_requirements"]["nl"] == "B2"
    assert runtime.store.get(ProfileKind.vacancy, "V-OUVRIER").languages["nl"] == 4
    removed = _ok(client.put("/vacancies/V-OUVRIER/languages/nl", json={"level": None}, headers=consultant))
    assert "nl" not in removed["record"]["data"]["language_requirements"]
    bad = client.put("/vacancies/V-OUVRIER/languages/nl", json={"level": "D1"}, headers=consultant)
    assert bad.status_code == 422
    assert bad.json()["errors"] == [
        {"field": "level", "reason": "CEFR level must be one of A1, A2, B1, B2, C1, C2, not 'D1'"}
    ]


@pytest.mark.parametrize(
    ("path", "body", "status", "field", "reason"),
    [
        ("/vacancies/V-OUVRIER/occupation", {"uri": OCC + "0000"}, 422, "uri", f"unknown ESCO occupation: {OCC}0000"),
        ("/vacancies/V-OUVRIER/occupation", {"uri": BAKER, "rejected": [OCC + "1"]}, 422, "rejected[0]", None),
        ("/vacancies/V-NOBODY/occupation", {"uri": BAKER}, 404, None, None),
        ("/vacancies/V-OUVRIER/skills", {"uri": SKILL + "0000"}, 422, "uri", f"unknown ESCO skill: {SKILL}0000"),
    ],
)
def test_bad_corrections_are_problems_with_field_and_reason(
    world: tuple[Runtime, Tokens, TestClient],
    path: str,
    body: dict[str, Any],
    status: int,
    field: str | None,
    reason: str | None,
) -> None:
    _, tokens, client = world
    method = client.put if path.endswith("occupation") else client.post
    response = method(path, json=body, headers=_as(tokens, "consultant"))
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    if field is not None:
        [error] = response.json()["errors"]
        assert error["field"] == field
        assert reason is None or error["reason"] == reason


def test_undoing_a_rejection_keeps_the_confirmation_beside_it(world: tuple[Runtime, Tokens, TestClient]) -> None:
    runtime, tokens, client = world
    consultant, admin = _as(tokens, "consultant"), _as(tokens, "admin")
    body = {"uri": PASTRY_MAKER, "rejected": [BAKER]}
    done = _ok(client.put("/vacancies/V-OUVRIER/occupation", json=body, headers=consultant))
    confirmed, rejected = done["learned"]
    assert (confirmed["verdict"], rejected["verdict"], rejected["uri"]) == ("confirmed", "rejected", BAKER)
    assert BAKER not in {c.uri for c in runtime.linker.link(TITLE, "occupation", k=20)}
    undone = _ok(client.post(f"/admin/learned-links/{rejected['id']}/undo", headers=admin))
    assert undone["reverted"] == []
    assert _ok(client.get("/vacancies/V-OUVRIER", headers=consultant))["data"]["occupation_uri"] == PASTRY_MAKER
    found = [c.uri for c in runtime.linker.link(TITLE, "occupation", k=20)]
    assert found[0] == PASTRY_MAKER and BAKER in found


def test_a_title_with_no_words_takes_a_consultants_occupation_and_teaches_nothing(
    world: tuple[Runtime, Tokens, TestClient],
) -> None:
    # There is no phrase to remember a link by: the correction stands, nothing is learned (it answered 500).
    runtime, tokens, client = world
    runtime.ingestion.ingest_one(RecordKind.vacancy, vacancy(id="V-SIGNS", title="0 - ***"))
    assert runtime.linker.phrase_key("0 - ***", "occupation", "fr") == ""
    done = _ok(client.put("/vacancies/V-SIGNS/occupation", json={"uri": BAKER}, headers=_as(tokens, "consultant")))
    assert done["record"]["data"]["occupation_uri"] == BAKER
    assert done["learned"] == [] and done["correction"]["learned_links"] == []
