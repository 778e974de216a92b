"""Hostile requests to the web service, on SQLite and on PostgreSQL: duplicate keys, invisible and control
characters, wrong types, protected attributes in free text, the largest dossier the schema allows, ids that try
to leave their folder or their query, and quarantined text that would run in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect

from api.main import create_app
from ingestion.csv_export import to_csv
from ingestion.models import RecordKind
from ingestion.quarantine import QUARANTINE_COLUMNS, export_quarantine
from ingestion.readers import read_csv, read_jsonl
from ingestion.schemas import MAX_ITEMS, MAX_SUMMARY
from skillmatch.runtime import Runtime
from tests.auth import bearer, make_tokens
from tests.factories import jobseeker, jsonl

EMPTY = "is empty once invisible and control characters are removed"


@pytest.fixture
def client(fresh_runtime: Runtime) -> Iterator[TestClient]:
    consultant = bearer(make_tokens(fresh_runtime.db).consultant)
    with TestClient(create_app(db=fresh_runtime.db, services=fresh_runtime), headers=consultant) as test_client:
        yield test_client


def _post_raw(client: TestClient, body: str) -> Any:
    return client.post("/jobseekers", content=body.encode(), headers={"content-type": "application/json"})


def test_duplicate_json_keys_are_refused(client: TestClient) -> None:
    response = _post_raw(client, '{"id": "J-A", "preferred_language": "fr", "id": "J-B"}')
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert (body["code"], body["detail"]) == (
        "invalid-json",
        "the body is not valid JSON: the key 'id' appears twice in one object",
    )
    assert client.get("/jobseekers/J-A").status_code == 404 and client.get("/jobseekers/J-B").status_code == 404
    nested = '{"id": "J-C", "contact": {"email": "a@b.be", "email": "c@d.be"}}'
    assert _post_raw(client, nested).json()["detail"].endswith("the key 'email' appears twice in one object")
    assert _post_raw(client, '{"id": "J-D"}').status_code == 201  # a well-formed body still passes


def test_invisible_title_is_refused_and_nul_is_never_stored(client: TestClient) -> None:
    response = client.post("/jobseekers", json=jobseeker(experiences=[{"title": "\u200b\u200b\u200b"}]))
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "experiences[0].title", "reason": EMPTY}]
    record = jobseeker(id="J-NUL", summary="Boulanger\x00 de nuit.\x07", skills=[{"text": "pétrir\x00"}])
    assert client.post("/jobseekers", json=record).status_code == 201
    stored = client.get("/jobseekers/J-NUL").json()
    assert stored["data"]["summary"] == "Boulanger de nuit."
    assert stored["data"]["skills"][0]["text"] == "pétrir"


def test_bidi_overrides_leave_names_and_emails(client: TestClient) -> None:
    contact = {"name": "\u202eDubois\u202c Marie", "email": "marie\u200b@exa\u202emple.be"}
    assert client.post("/jobseekers", json=jobseeker(id="J-BIDI", contact=contact)).status_code == 201
    stored = client.get("/jobseekers/J-BIDI").json()["data"]["contact"]
    assert (stored["name"], stored["email"]) == ("Dubois Marie", "marie@example.be")


def test_no_bool_as_number_and_no_number_as_date(client: TestClient) -> None:
    response = client.post(
        "/jobseekers", json=jobseeker(experiences=[{"title": "Boulanger", "years": True}], available_from=0)
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "experiences[0].years", "reason": "expected a number, not true or false"},
        {"field": "available_from", "reason": "expected a date as YYYY-MM-DD"},
    ]


def test_protected_statements_in_a_summary_are_removed_with_a_warning(client: TestClient) -> None:
    record = jobseeker(id="J-SELF", summary="Boulanger depuis 12 ans. Je suis de nationalité turque, marié.")
    response = client.post("/jobseekers", json=record)
    assert response.status_code == 201
    assert response.json()["warnings"] == [
        "J-SELF: removed from the summary what it said about family, origin (never used for matching)"
    ]
    assert client.get("/jobseekers/J-SELF").json()["data"]["summary"] == "Boulanger depuis 12 ans."


def test_the_largest_dossier_the_schema_allows_is_accepted(client: TestClient) -> None:
    words = ["pétrir la pâte", "cuire le pain", "nettoyer le four", "gérer les stocks", "servir les clients"]
    record = jobseeker(
        id="J-MAX",
        skills=[{"text": f"{words[i % 5]} {i}"} for i in range(MAX_ITEMS)],
        experiences=[{"title": f"Boulanger {i}", "years": 1} for i in range(MAX_ITEMS)],
        summary=("Boulanger de métier, pétrissage et cuisson au four à bois. " * 100)[:MAX_SUMMARY],
    )
    assert client.post("/jobseekers", json=record).status_code == 201
    too_many = jobseeker(id="J-MAX", skills=[{"text": "pain"}] * (MAX_ITEMS + 1))
    assert client.post("/jobseekers", json=too_many).status_code == 422


@pytest.mark.parametrize(
    "record_id", ["../../etc/passwd", "..", "a/b", "J1'; DROP TABLE jobseeker;--", "J 1", "%2e%2e%2f", "C:\\x"]
)
def test_ids_that_try_to_leave_their_folder_or_query_are_refused(client: TestClient, record_id: str) -> None:
    response = client.post("/jobseekers", json=jobseeker(id=record_id))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "id"


def test_injection_in_text_is_stored_as_text(client: TestClient, fresh_runtime: Runtime) -> None:
    hostile = "x'); DROP TABLE jobseeker; -- {{7*7}} <script>alert(1)</script>"
    record = jobseeker(id="J-INJ", skills=[{"text": hostile}], summary=hostile)
    assert client.post("/jobseekers", json=record).status_code == 201
    assert client.get("/jobseekers/J-INJ").json()["data"]["skills"][0]["text"] == hostile
    assert inspect(fresh_runtime.db).has_table("jobseeker")
    assert client.get("/jobseekers/..%2f..%2fetc%2fpasswd").status_code == 404


def test_quarantined_text_cannot_run_in_a_spreadsheet(fresh_runtime: Runtime) -> None:
    lines = jsonl([{"id": '=HYPERLINK("http://evil")', "preferred_language": "fr"}])
    lines += '{"id": "J-NUL\\u0000", "summary": "a\\u0000b", "skills": 3}\n'
    summary = fresh_runtime.ingestion.ingest(RecordKind.jobseeker, read_jsonl(lines), source="=cmd|'/C calc'!A0")
    assert summary.quarantined == 2
    rows = export_quarantine(fresh_runtime.db)
    assert all("\x00" not in str(value) for row in rows for value in row.values())  # PostgreSQL took the rows
    cells = list(csv.DictReader(io.StringIO(to_csv(rows, QUARANTINE_COLUMNS))))
    assert {c["source"] for c in cells} == {"'=cmd|'/C calc'!A0"}
    assert cells[0]["raw"].startswith("{")  # a JSON line is data; a formula-looking cell gets an apostrophe
    assert all(not v.startswith(("=", "+", "-", "@")) for c in cells for v in c.values())


def test_a_csv_import_with_formulas_keeps_them_as_text_and_exports_them_neutralised(
    client: TestClient, fresh_runtime: Runtime
) -> None:
    text = 'id,preferred_language,summary\nJ-CSV,fr,"=1+1 boulanger"\n'
    summary = fresh_runtime.ingestion.ingest(RecordKind.jobseeker, read_csv(text), source="import.csv")
    assert summary.accepted == 1
    stored = client.get("/jobseekers/J-CSV").json()["data"]
    assert stored["summary"] == "=1+1 boulanger"
    assert to_csv([stored], ["id", "summary"]).splitlines()[1] == "J-CSV,'=1+1 boulanger"
