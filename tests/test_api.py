"""The HTTP API over a real (slice) runtime: submit, read back, match in both directions, link text to ESCO,
and one stable error shape for everything that goes wrong."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app as build_app
from ingestion.models import RecordKind
from ingestion.readers import read_jsonl
from skillmatch.runtime import Runtime
from skillmatch.server import create_app
from skillmatch.settings import Settings
from tests.auth import bearer, make_tokens
from tests.esco_uris import (
    ACCOUNTANT,
    BAKE_GOODS,
    BAKER,
    KNEAD_FOOD,
    MONITOR_FLOUR_UNLOADING,
    SKILL,
    SOFTWARE_DEVELOPER,
)
from tests.factories import jobseeker, jsonl, vacancy, without

CEFR_D1 = "CEFR level must be one of A1, A2, B1, B2, C1, C2, not 'D1'"
UNKNOWN_SKILL = SKILL + "00000000-0000-0000-0000-000000000000"
COMPONENTS = {"cosine", "essential", "optional", "occupation", "language", "location"}
FLOUR_FR = "surveiller les équipements de déchargement de farine"


@pytest.fixture
def client(fresh_runtime: Runtime) -> Iterator[TestClient]:
    """A consultant's client."""
    app = build_app(db=fresh_runtime.db, services=fresh_runtime)
    with TestClient(app, headers=bearer(make_tokens(fresh_runtime.db).consultant)) as test_client:
        yield test_client


def error(code: str, message: str, fields: list[tuple[str, str]] | None = None) -> dict[str, Any]:
    """What a problem-details body must say: its kind, its detail and its field/reason pairs."""
    return {
        "type": f"/problems/{code}",
        "code": code,
        "detail": message,
        "errors": [{"field": f, "reason": r} for f, r in fields or []],
    }


def problem(response: Any) -> dict[str, Any]:
    """The parts of a problem-details response that ``error`` describes (and check the rest of its shape)."""
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == response.status_code
    assert body["title"] and body["instance"]
    return {key: body[key] for key in ("type", "code", "detail", "errors")}


def post(client: TestClient, path: str, record: dict[str, Any], status: int = 201) -> dict[str, Any]:
    response = client.post(path, json=record)
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


DUTCH_BAKER = jobseeker(
    id="J-BAKER-NL",
    preferred_language="nl",
    experiences=[{"title": "Bakker", "years": 12}],
    skills=[BAKE_GOODS, KNEAD_FOOD],
    languages={"nl": "C2", "fr": "B1"},
)
ACCOUNTANT_FR = jobseeker(
    id="J-COMPTABLE",
    experiences=[{"title": "Comptable", "years": 8}],
    skills=["tenir la comptabilité"],
    languages={"fr": "C2", "nl": "B2"},
)


@pytest.fixture
def populated(client: TestClient) -> TestClient:
    """Three jobseekers (two bakers, an accountant) and three vacancies (baker, accountant, developer)."""
    for record in (jobseeker(), DUTCH_BAKER, ACCOUNTANT_FR):
        post(client, "/jobseekers", record)
    post(client, "/vacancies", vacancy(required_skills=[BAKE_GOODS, MONITOR_FLOUR_UNLOADING]))
    post(
        client,
        "/vacancies",
        vacancy(
            id="V-COMPTABLE", language="fr", title="Comptable (h/f/x)", occupation_uri=ACCOUNTANT, required_skills=[]
        ),
    )
    post(
        client,
        "/vacancies",
        vacancy(
            id="V-DEV",
            language="fr",
            title="Développeur logiciel (h/f/x)",
            occupation_uri=SOFTWARE_DEVELOPER,
            required_skills=[],
        ),
    )
    return client


def skill_entries(explanation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every required skill of an explanation by URI, whatever its status."""
    statuses = ("matched", "partial", "likely", "missing")
    return {item["skill"]["uri"]: item for status in statuses for item in explanation[status]}


# -- submitting records --------------------------------------------------------------------------------------


def test_submit_jobseeker_accepted_then_unchanged_then_updated(client: TestClient) -> None:
    created = client.post("/jobseekers", json=jobseeker())
    assert (created.status_code, created.json()) == (201, {"status": "accepted", "id": "J-BAKER-FR", "warnings": []})
    again = client.post("/jobseekers", json=jobseeker())
    assert (again.status_code, again.json()) == (200, {"status": "unchanged", "id": "J-BAKER-FR", "warnings": []})
    changed = client.post("/jobseekers", json=jobseeker(postcode="1050"))
    assert (changed.status_code, changed.json()) == (200, {"status": "updated", "id": "J-BAKER-FR", "warnings": []})
    assert client.get("/jobseekers/J-BAKER-FR").json()["data"]["postcode"] == "1050"


def test_invalid_jobseeker_is_a_422_with_field_and_reason(client: TestClient) -> None:
    response = client.post("/jobseekers", json=jobseeker(languages={"fr": "D1", "nl": "B1"}))
    assert response.status_code == 422
    assert problem(response) == error("validation-error", f"languages.fr: {CEFR_D1}", [("languages.fr", CEFR_D1)])
    assert client.get("/jobseekers/J-BAKER-FR").status_code == 404


def test_every_problem_of_a_payload_is_listed(client: TestClient) -> None:
    response = client.post(
        "/jobseekers", json=without(jobseeker(experiences=[{"title": "B" * 201}], skills=[{}]), "id")
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "id", "reason": "this field is required"},
        {"field": "experiences[0].title", "reason": "String should have at most 200 characters"},
        {"field": "skills[0]", "reason": "a skill needs an ESCO skill URI or a text"},
    ]


def test_unknown_esco_uri_is_a_422(client: TestClient) -> None:
    response = client.post("/jobseekers", json=jobseeker(skills=[UNKNOWN_SKILL]))
    reason = f"unknown ESCO skill: {UNKNOWN_SKILL}"
    assert response.status_code == 422
    assert problem(response) == error("validation-error", f"skills[0].uri: {reason}", [("skills[0].uri", reason)])


def test_body_that_is_not_json_is_a_400(client: TestClient) -> None:
    response = client.post("/jobseekers", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert problem(response)["code"] == "invalid-json"
    assert [f["reason"] for f in response.json()["errors"]] == [
        "the body is not valid JSON: Expecting property name enclosed in double quotes (at character 1)"
    ]


def test_body_that_is_not_json_names_the_body_not_a_list_index(client: TestClient) -> None:
    response = client.post("/jobseekers", content=b"{not json", headers={"content-type": "application/json"})
    assert response.json()["errors"][0]["field"] == "(body)"


def test_protected_attribute_is_dropped_with_a_warning(client: TestClient) -> None:
    response = client.post("/jobseekers", json=jobseeker(gender="F", birth_date="1990-04-01"))
    assert response.status_code == 201
    assert response.json() == {
        "status": "accepted",
        "id": "J-BAKER-FR",
        "warnings": [
            "J-BAKER-FR: dropped protected attribute 'birth_date' (never used for matching)",
            "J-BAKER-FR: dropped protected attribute 'gender' (never used for matching)",
        ],
    }
    stored = client.get("/jobseekers/J-BAKER-FR").json()
    assert not {"gender", "birth_date"} & set(stored["data"])
    assert "1990-04-01" not in str(stored)


def test_read_back_a_jobseeker(client: TestClient) -> None:
    post(client, "/jobseekers", jobseeker())
    body = client.get("/jobseekers/J-BAKER-FR").json()
    assert set(body) == {"id", "data", "links", "flags", "updated_at", "corrections"}
    assert body["corrections"] == []
    assert body["id"] == "J-BAKER-FR"
    assert body["flags"] is None
    assert body["data"]["languages"] == {"fr": "C2", "nl": "B1"}
    assert [(link["field"], link["kind"]) for link in body["links"]] == [
        ("skills[2].text", "skill"),
        ("experiences[0].title", "proposals"),
        ("experiences[0].title", "occupation"),
    ]


def test_unknown_jobseeker_is_a_404(client: TestClient) -> None:
    response = client.get("/jobseekers/NOPE")
    assert response.status_code == 404
    assert problem(response) == error("not-found", "no jobseeker with id 'NOPE'")


def test_unknown_route_has_the_same_error_shape(client: TestClient) -> None:
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert problem(response) == error("not-found", "Not Found")


def test_vacancy_is_stored_with_its_screen_flags(client: TestClient) -> None:
    record = vacancy(
        language="fr", title="Boulanger (h/f/x)", description="Nous cherchons un boulanger jeune et dynamique."
    )
    assert post(client, "/vacancies", record) == {"status": "accepted", "id": "V-BAKKER-NL", "warnings": []}
    body = client.get("/vacancies/V-BAKKER-NL").json()
    assert body["data"]["title"] == "Boulanger (h/f/x)"
    assert [(f["category"], f["text"], f["rule"]) for f in body["flags"]] == [
        ("age", "jeune et dynamique", "age.young")
    ]


def test_vacancy_with_neutral_title_has_no_flags(client: TestClient) -> None:
    post(client, "/vacancies", vacancy())
    assert client.get("/vacancies/V-BAKKER-NL").json()["flags"] == []


def test_invalid_vacancy_title_is_a_422(client: TestClient) -> None:
    response = client.post("/vacancies", json=vacancy(title="b" * 201))
    reason = "String should have at most 200 characters"
    assert response.status_code == 422
    assert problem(response) == error("validation-error", f"title: {reason}", [("title", reason)])


def test_unknown_vacancy_is_a_404(client: TestClient) -> None:
    assert problem(client.get("/vacancies/NOPE")) == error("not-found", "no vacancy with id 'NOPE'")
    response = client.get("/vacancies/NOPE/candidates")
    assert response.status_code == 404
    assert problem(response) == error("not-found", "no vacancy with id 'NOPE'")


def test_candidates_when_no_jobseeker_is_indexed(client: TestClient) -> None:
    post(client, "/vacancies", vacancy())
    response = client.get("/vacancies/V-BAKKER-NL/candidates")
    assert response.status_code == 409
    assert problem(response) == error("nothing-indexed", "the profile index is empty: ingest profiles first")


# -- matching ------------------------------------------------------------------------------------------------


def test_candidates_are_ranked_with_components_and_explanations(populated: TestClient) -> None:
    response = populated.get("/vacancies/V-BAKKER-NL/candidates", params={"lang": "nl"})
    assert response.status_code == 200
    matches = response.json()
    ids = [m["id"] for m in matches]
    assert sorted(ids[:2]) == ["J-BAKER-FR", "J-BAKER-NL"]
    assert ids[2:] == ["J-COMPTABLE"]
    scores = [m["score"] for m in matches]
    assert scores == sorted(scores, reverse=True)
    for match in matches:
        assert match["kind"] == "jobseeker"
        assert set(match["components"]) == COMPONENTS
        assert all(0.0 <= value <= 1.0 for value in match["components"].values())
    french = next(m for m in matches if m["id"] == "J-BAKER-FR")
    # The dossier states baking; monitoring flour unloading is only likely, from the baker's occupation.
    assert 0.5 < french["components"]["essential"] < 1.0
    assert french["components"]["language"] == 1.0
    explanation = french["explanation"]
    assert explanation["lang"] == "nl"
    entries = skill_entries(explanation)
    assert entries[BAKE_GOODS]["status"] == "matched"
    assert entries[MONITOR_FLOUR_UNLOADING]["status"] == "likely"
    assert entries[MONITOR_FLOUR_UNLOADING]["inferred_from"]["uri"] == BAKER
    assert entries[BAKE_GOODS]["skill"] == {
        "uri": BAKE_GOODS,
        "label": "bakkerswaren bakken",
        "lang": "nl",
        "fallback": False,
    }
    # ESCO has no Dutch label for this skill: the French one is shown, and said to be a fallback.
    assert entries[MONITOR_FLOUR_UNLOADING]["skill"] == {
        "uri": MONITOR_FLOUR_UNLOADING,
        "label": FLOUR_FR,
        "lang": "fr",
        "fallback": True,
    }
    assert explanation["languages"] == [{"language": "nl", "required": "B1", "held": "B1", "met": True}]
    assert {o["uri"] for o in explanation["occupations"]} >= {BAKER}
    accountant = next(m for m in matches if m["id"] == "J-COMPTABLE")
    assert skill_entries(accountant["explanation"])[BAKE_GOODS]["status"] == "missing"
    assert accountant["components"]["essential"] < french["components"]["essential"]


def test_candidates_explained_in_french(populated: TestClient) -> None:
    matches = populated.get("/vacancies/V-BAKKER-NL/candidates", params={"lang": "fr", "k": 1}).json()
    assert len(matches) == 1
    entries = skill_entries(matches[0]["explanation"])
    assert entries[BAKE_GOODS]["skill"]["label"] == "confectionner des produits de boulangerie"
    assert entries[MONITOR_FLOUR_UNLOADING]["skill"] == {
        "uri": MONITOR_FLOUR_UNLOADING,
        "label": FLOUR_FR,
        "lang": "fr",
        "fallback": False,
    }


def test_candidates_default_to_the_vacancy_language(populated: TestClient) -> None:
    [match] = populated.get("/vacancies/V-BAKKER-NL/candidates", params={"k": 1}).json()
    assert match["explanation"]["lang"] == "nl"


def test_min_language_filter_excludes_lower_levels(populated: TestClient) -> None:
    response = populated.get("/vacancies/V-BAKKER-NL/candidates", params={"min_language": "nl:C1"})
    assert response.status_code == 200
    assert [m["id"] for m in response.json()] == ["J-BAKER-NL"]
    both = populated.get("/vacancies/V-BAKKER-NL/candidates", params={"min_language": ["nl:b2", "fr:C2"]})
    assert [m["id"] for m in both.json()] == ["J-COMPTABLE"]


def test_requirements_met_filter(populated: TestClient) -> None:
    post(populated, "/jobseekers", jobseeker(id="J-NO-DUTCH", languages={"fr": "C2"}))
    ids = [m["id"] for m in populated.get("/vacancies/V-BAKKER-NL/candidates", params={"k": 10}).json()]
    assert "J-NO-DUTCH" in ids
    met = populated.get("/vacancies/V-BAKKER-NL/candidates", params={"requirements_met": True}).json()
    assert "J-NO-DUTCH" not in [m["id"] for m in met]
    assert sorted(m["id"] for m in met) == ["J-BAKER-FR", "J-BAKER-NL", "J-COMPTABLE"]


@pytest.mark.parametrize(
    ("value", "found"),
    [("nl", "'nl'"), ("nl:D1", "'nl:D1'"), ("dutch:B1", "'dutch:B1'")],
)
def test_malformed_min_language_is_a_422(populated: TestClient, value: str, found: str) -> None:
    response = populated.get("/vacancies/V-BAKKER-NL/candidates", params={"min_language": value})
    reason = f"expected language:CEFR level such as nl:B1, found {found}"
    assert response.status_code == 422
    assert problem(response) == error(
        "validation-error", f"query.min_language[0]: {reason}", [("query.min_language[0]", reason)]
    )


def test_the_api_and_the_consultants_page_read_filters_one_way() -> None:
    from api.routes.common import build_filters
    from api.ui.consultant import _filters
    from matching.ranking import Filters

    page = _filters("b1", "", "brussels", "C1E", "12.5")
    assert page == build_filters({"nl": "B1"}, ["C1E"], ["brussels"], 12.5)
    # The page used to take only whole kilometres and upper-case levels.
    assert (page.min_languages, page.max_km) == ({"nl": 3}, 12.5)
    assert _filters("Z9", "", "mars", "XX", "600") == Filters()  # what the page never offers is left out


def test_bad_k_is_a_422(populated: TestClient) -> None:
    response = populated.get("/vacancies/V-BAKKER-NL/candidates", params={"k": 0})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "query.k", "reason": "Input should be greater than or equal to 1"}]


def test_vacancies_for_a_french_jobseeker_put_the_dutch_bakery_job_first(populated: TestClient) -> None:
    response = populated.get("/jobseekers/J-BAKER-FR/vacancies")
    assert response.status_code == 200
    matches = response.json()
    assert [m["id"] for m in matches][0] == "V-BAKKER-NL"
    assert {m["id"] for m in matches} == {"V-BAKKER-NL", "V-COMPTABLE", "V-DEV"}
    best = matches[0]
    assert best["kind"] == "vacancy"
    assert set(best["components"]) == COMPONENTS
    # Explained in the jobseeker's language by default.
    assert best["explanation"]["lang"] == "fr"
    assert skill_entries(best["explanation"])[BAKE_GOODS]["skill"]["label"] == (
        "confectionner des produits de boulangerie"
    )


def test_vacancies_for_an_unknown_jobseeker_is_a_404(populated: TestClient) -> None:
    response = populated.get("/jobseekers/NOPE/vacancies")
    assert response.status_code == 404
    assert problem(response) == error("not-found", "no jobseeker with id 'NOPE'")


def test_closed_vacancy_is_not_proposed(populated: TestClient) -> None:
    post(populated, "/vacancies", vacancy(status="closed", required_skills=[BAKE_GOODS, MONITOR_FLOUR_UNLOADING]), 200)
    ids = [m["id"] for m in populated.get("/jobseekers/J-BAKER-FR/vacancies").json()]
    assert sorted(ids) == ["V-COMPTABLE", "V-DEV"]


# -- ESCO ----------------------------------------------------------------------------------------------------


def test_link_bakker_to_the_baker_occupation(client: TestClient) -> None:
    response = client.post("/link", json={"text": "bakker", "kind": "occupation"})
    assert response.status_code == 200
    [first] = response.json()
    assert {k: v for k, v in first.items() if k != "score"} == {
        "uri": BAKER,
        "kind": "occupation",
        "label": "boulanger/boulangère",
        "label_lang": "fr",
        "start": 0,
        "end": 6,
    }
    in_dutch = client.post("/link", json={"text": "bakker", "kind": "occupation", "lang": "nl"}).json()
    assert (in_dutch[0]["uri"], in_dutch[0]["label"], in_dutch[0]["label_lang"]) == (BAKER, "bakker", "nl")


def test_link_finds_several_skills_with_their_spans(client: TestClient) -> None:
    text = "Boulanger. Je sais confectionner des produits de boulangerie et pétrir des aliments."
    found = client.post("/link", json={"text": text}).json()
    uris = [f["uri"] for f in found]
    assert BAKE_GOODS in uris and KNEAD_FOOD in uris
    for item in found:
        assert 0 <= item["start"] < item["end"] <= len(text)


def test_link_rejects_an_unknown_kind(client: TestClient) -> None:
    response = client.post("/link", json={"text": "bakker", "kind": "profession"})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "kind", "reason": "Input should be 'skill' or 'occupation'"}]


def test_link_text_is_not_in_the_query_string(client: TestClient) -> None:
    assert client.get("/esco/link", params={"text": "bakker"}).status_code == 404


def test_concept_in_dutch_with_fallback(client: TestClient) -> None:
    response = client.get("/esco/concepts", params={"uri": MONITOR_FLOUR_UNLOADING, "lang": "nl"})
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("uri", "kind", "label", "label_lang", "fallback")} == {
        "uri": MONITOR_FLOUR_UNLOADING,
        "kind": "skill",
        "label": FLOUR_FR,
        "label_lang": "fr",
        "fallback": True,
    }
    assert body["description"] == (
        "Monitor flour unloading equipment and flour processing systems. Ensure ingredients are delivered on time."
    )
    dutch = client.get("/esco/concepts", params={"uri": BAKE_GOODS, "lang": "nl"}).json()
    assert (dutch["label"], dutch["label_lang"], dutch["fallback"]) == ("bakkerswaren bakken", "nl", False)
    assert len(dutch["broader"]) >= 1


def test_unknown_concept_is_a_404(client: TestClient) -> None:
    response = client.get("/esco/concepts", params={"uri": UNKNOWN_SKILL})
    assert response.status_code == 404
    assert problem(response) == error("unknown-concept", f"unknown ESCO concept: {UNKNOWN_SKILL}")


# -- quarantine and health -----------------------------------------------------------------------------------


def test_quarantine_lists_rejected_records(client: TestClient, fresh_runtime: Runtime) -> None:
    bad = jobseeker(id="J-BAD", languages={"fr": "D1"})
    lines = jsonl([jobseeker(), bad])
    fresh_runtime.ingestion.ingest(RecordKind.jobseeker, read_jsonl(lines), source="batch.jsonl")
    assert client.get("/quarantine").status_code == 403  # consultants do not see rejected lines
    client.headers.update(bearer(make_tokens(fresh_runtime.db).admin))
    response = client.get("/quarantine")
    assert response.status_code == 200
    [row] = response.json()
    assert {k: row[k] for k in ("kind", "source", "line", "record_id", "field", "reason", "errors", "resolved_at")} == {
        "kind": "jobseeker",
        "source": "batch.jsonl",
        "line": 2,
        "record_id": "J-BAD",
        "field": "languages.fr",
        "reason": CEFR_D1,
        # The kind of problem and the values it names, beside the English reason: the pages word it from them.
        "errors": [{"field": "languages.fr", "reason": CEFR_D1, "code": "cefr_level", "params": {"value": "'D1'"}}],
        "resolved_at": None,
    }
    # The original line without contact details (protected attributes were never stored in it here).
    assert json.loads(row["raw"]) == bad | {"contact": "(removed)"}
    assert client.get("/quarantine", params={"kind": "vacancy"}).json() == []
    wrong = client.get("/quarantine", params={"kind": "employer"})
    assert wrong.status_code == 422
    assert wrong.json()["errors"] == [{"field": "query.kind", "reason": "Input should be 'jobseeker' or 'vacancy'"}]


def test_health(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["esco"]["version"] == "v1.1.1"
    assert body["esco"]["languages"] == ["en", "fr", "nl"]


def test_app_without_esco_is_not_ready_but_healthy(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path}/x.db")
    not_ready = error("not-ready", "no ESCO taxonomy is loaded: run `skillmatch esco load`")
    app = create_app(settings)
    tokens = make_tokens(app.state.db)
    with TestClient(app, headers=bearer(tokens.consultant)) as client:
        link = client.post("/link", json={"text": "bakker"})
        assert (link.status_code, problem(link)) == (503, not_ready)
        submitted = client.post("/jobseekers", json=jobseeker())
        assert (submitted.status_code, problem(submitted)) == (503, not_ready)
        health = client.get("/health")
        assert (health.status_code, health.json()) == (200, {"status": "no_taxonomy", "esco": None})
        assert client.get("/quarantine", headers=bearer(tokens.admin)).json() == []
