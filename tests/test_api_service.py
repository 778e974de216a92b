"""The service's own parts: the audit log (recorded, filtered, purged), shortlists and their CSV export,
deactivation and deletion through the writer, the ESCO typeahead, metrics, the access log and body limits."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from fastapi.testclient import TestClient

from api.audit import AuditLog
from api.config import ApiConfig
from api.main import create_app
from api.shortlist import neutralise, to_csv
from api.ui.i18n import MESSAGES
from ingestion.models import RecordKind
from ingestion.readers import read_jsonl
from skillmatch.runtime import Runtime
from tests.auth import OWN_DOSSIER, Tokens, bearer, make_tokens
from tests.esco_uris import BAKE_GOODS, KNEAD_FOOD
from tests.factories import jobseeker, jsonl, vacancy

VACANCY = "V-BAKKER-NL"


@dataclass
class Service:
    client: TestClient
    tokens: Tokens
    runtime: Runtime

    def as_(self, token: str) -> dict[str, str]:
        return bearer(token)


@pytest.fixture
def service(fresh_runtime: Runtime) -> Iterator[Service]:
    app = create_app(db=fresh_runtime.db, services=fresh_runtime, config=ApiConfig(max_body_bytes=20_000))
    tokens = make_tokens(fresh_runtime.db)
    with TestClient(app, headers=bearer(tokens.consultant)) as client:
        assert client.post("/jobseekers", json=jobseeker()).status_code == 201
        assert client.post("/jobseekers", json=jobseeker(id="J-OTHER", skills=[KNEAD_FOOD])).status_code == 201
        assert client.post("/vacancies", json=vacancy(required_skills=[BAKE_GOODS])).status_code == 201
        yield Service(client, tokens, fresh_runtime)


def test_searches_views_and_exports_are_audited_with_ids_only(service: Service) -> None:
    c = service.client
    found = c.get(f"/vacancies/{VACANCY}/candidates", params={"k": 5, "min_language": "nl:A2"}).json()
    c.get(f"/jobseekers/{OWN_DOSSIER}")
    c.get(f"/jobseekers/{OWN_DOSSIER}/vacancies")
    c.put(f"/vacancies/{VACANCY}/shortlist/{OWN_DOSSIER}", json={"status": "proposed"})
    c.get(f"/vacancies/{VACANCY}/shortlist.csv")
    c.get(f"/jobseekers/{OWN_DOSSIER}/anonymised")
    log = c.get("/audit", headers=bearer(service.tokens.admin)).json()
    assert [e["action"] for e in log] == [
        "anonymised_profile", "export", "shortlist_change", "suggestion_list", "dossier_view", "candidate_search",
        "dossier_change", "dossier_change",  # the two dossiers the fixture submitted
    ]  # fmt: skip
    assert {e["why"] for e in log} == {"placement"} and all(e["name"].startswith("consultant-") for e in log)
    search = log[-3]
    assert (search["target"], search["role"]) == (VACANCY, "consultant")
    assert search["result_ids"] == [m["id"] for m in found]
    assert search["params"] == {"min_language": {"nl": "A2"}, "k": 5, "lang": None}
    assert "Marie" not in json.dumps(log) and "example.be" not in json.dumps(log)
    only = c.get("/audit", params={"action": "dossier_view"}, headers=bearer(service.tokens.admin)).json()
    assert [e["target"] for e in only] == [OWN_DOSSIER]
    assert c.get("/audit").status_code == 403  # consultants do not read the audit log


def test_admins_filter_the_audit_log_page_by_action_record_and_day(service: Service) -> None:
    c = service.client
    c.get(f"/jobseekers/{OWN_DOSSIER}")
    c.get(f"/vacancies/{VACANCY}/candidates")
    admin = bearer(service.tokens.admin)
    today = datetime.now(UTC).date()

    search, view = MESSAGES["fr"]["action_candidate_search"], MESSAGES["fr"]["action_dossier_view"]

    def rows(**params: str) -> list[list[str]]:
        """(action, record) of each row of the page's table that is a search or a dossier view (reading the
        log is audited too)."""
        html = c.get("/ui/admin/audit", params=params | {"lang": "fr"}, headers=admin).text
        found = re.findall(r"<tr>(?:<td>[^<]*</td>){3}<td>([^<]*)</td><td>([^<]*)</td>", html)
        return [[unescape(action), target] for action, target in found if unescape(action) in (search, view)]

    assert rows() == [[search, VACANCY], [view, OWN_DOSSIER]]  # actions in the reader's words
    assert rows(action="dossier_view", since=str(today), until=str(today)) == [[view, OWN_DOSSIER]]
    assert rows(target=VACANCY) == [[search, VACANCY]]
    assert rows(until=str(today - timedelta(days=1))) == []
    assert rows(since=str(today + timedelta(days=1))) == []
    assert c.get("/ui/admin/audit").status_code == 403  # consultants do not read the audit log


def test_audit_purge_deletes_what_is_older_than_the_retention(service: Service) -> None:
    service.client.get(f"/jobseekers/{OWN_DOSSIER}")
    audit = AuditLog(service.runtime.db)
    assert audit.purge(datetime.now(UTC) - timedelta(days=183)) == 0
    assert audit.purge(datetime.now(UTC) + timedelta(seconds=1)) == 3  # the view and the fixture's 2 submissions
    assert audit.search() == []


def test_shortlist_statuses_and_csv_export(service: Service) -> None:
    c = service.client
    put = c.put(f"/vacancies/{VACANCY}/shortlist/J-OTHER", json={"status": "proposed", "score": 0.5})
    assert put.status_code == 200 and put.json()["status"] == "proposed"
    c.put(f"/vacancies/{VACANCY}/shortlist/J-OTHER", json={"status": "hired"})
    assert [e["status"] for e in c.get(f"/vacancies/{VACANCY}/shortlist").json()] == ["hired"]
    bad = c.put(f"/vacancies/{VACANCY}/shortlist/J-OTHER", json={"status": "maybe"})
    assert bad.status_code == 422
    exported = c.get(f"/vacancies/{VACANCY}/shortlist.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert rows[1][:4] == [VACANCY, "J-OTHER", "hired", "0.500"]
    assert c.delete(f"/vacancies/{VACANCY}/shortlist/J-OTHER").status_code == 204
    assert c.delete(f"/vacancies/{VACANCY}/shortlist/J-OTHER").status_code == 404


@pytest.mark.parametrize("cell", ['=HYPERLINK("x")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(cell: str) -> None:
    assert neutralise(cell) == "'" + cell
    assert list(csv.reader(io.StringIO(to_csv(["h"], [[cell]]))))[1] == ["'" + cell]


def test_plain_cells_are_left_alone() -> None:
    assert neutralise("J00001") == "J00001" and neutralise("") == ""


def test_deactivate_takes_a_dossier_out_of_matching_and_delete_removes_it(service: Service) -> None:
    c = service.client
    assert c.post("/jobseekers/J-OTHER/deactivate").json()["status"] == "updated"
    ids = [m["id"] for m in c.get(f"/vacancies/{VACANCY}/candidates").json()]
    assert "J-OTHER" not in ids and OWN_DOSSIER in ids
    assert c.delete(f"/jobseekers/{OWN_DOSSIER}").status_code == 403  # consultants do not delete
    own = c.delete(f"/jobseekers/{OWN_DOSSIER}", headers=bearer(service.tokens.jobseeker))
    assert own.status_code == 204
    assert c.get(f"/jobseekers/{OWN_DOSSIER}").status_code == 404
    assert c.get(f"/vacancies/{VACANCY}/candidates").json()["code"] == "nothing-indexed"  # no active dossier left
    assert c.get("/health/ready").status_code == 200  # store and index agree after the deletion
    assert c.delete(f"/vacancies/{VACANCY}", headers=bearer(service.tokens.admin)).status_code == 204
    assert c.delete(f"/vacancies/{VACANCY}", headers=bearer(service.tokens.admin)).status_code == 404


def test_close_a_vacancy(service: Service) -> None:
    c = service.client
    assert c.post(f"/vacancies/{VACANCY}/close").json()["status"] == "updated"
    assert c.get(f"/vacancies/{VACANCY}").json()["data"]["status"] == "closed"
    assert c.get(f"/jobseekers/{OWN_DOSSIER}/vacancies").json()["code"] == "nothing-indexed"  # no open vacancy


def test_typeahead_finds_skills_by_the_start_of_a_word_in_each_language(service: Service) -> None:
    c = service.client
    fr = c.get("/esco/skills", params={"q": "pétr", "lang": "fr"}).json()
    assert KNEAD_FOOD in [s["uri"] for s in fr]
    nl = c.get("/esco/skills", params={"q": "bakk", "lang": "nl"}).json()
    assert BAKE_GOODS in [s["uri"] for s in nl]
    assert all(s["lang"] == "nl" for s in nl)
    assert c.get("/esco/occupations", params={"q": "bou", "lang": "fr"}).json()[0]["label"] == "boulanger/boulangère"
    assert c.get("/esco/skills", params={"q": "zzzzqq"}).json() == []
    assert c.get("/esco/skills", params={"q": ""}).status_code == 422


def test_metrics_count_requests_by_route_template_and_show_index_sizes(service: Service) -> None:
    c = service.client
    c.get(f"/jobseekers/{OWN_DOSSIER}")
    bad = jsonl([jobseeker(id="J-BAD", languages={"fr": "D1"})])
    service.runtime.ingestion.ingest(RecordKind.jobseeker, read_jsonl(bad), source="batch.jsonl")
    text = TestClient(c.app).get("/metrics").text  # no token needed
    assert 'skillmatch_http_requests_total{method="GET",route="/jobseekers/{jobseeker_id}",status="200"} 1.0' in text
    assert OWN_DOSSIER not in text
    assert 'skillmatch_index_profiles{kind="jobseeker"} 2.0' in text
    assert 'skillmatch_ingested_records_total{kind="jobseeker",status="accepted"} 2.0' in text
    assert "skillmatch_http_request_duration_seconds_bucket" in text
    assert 'skillmatch_quarantine_records{kind="jobseeker",state="open"} 1.0' in text


def test_the_access_log_has_one_line_per_request_without_ids_query_or_token(
    service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="skillmatch.access")
    service.client.get(f"/jobseekers/{OWN_DOSSIER}/vacancies", params={"lang": "nl", "region": "brussels"})
    service.client.post("/link", json={"text": "Marie Dubois sait pétrir"})
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "skillmatch.access"]
    assert [(x["method"], x["route"], x["status"]) for x in lines] == [
        ("GET", "/jobseekers/{jobseeker_id}/vacancies", 200),
        ("POST", "/link", 200),
    ]
    text = " ".join(r.getMessage() for r in caplog.records)
    for secret in (OWN_DOSSIER, "brussels", "Marie", service.tokens.consultant):
        assert secret not in text


def test_a_body_above_the_limit_is_a_413_problem(service: Service) -> None:
    response = service.client.post("/link", json={"text": "x" * 30_000})
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "payload-too-large"


def test_a_body_of_the_wrong_json_type_is_refused_not_coerced(service: Service) -> None:
    response = service.client.post("/jobseekers", json=jobseeker(active=0))
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "active", "reason": '0 is not of type "boolean"'}]


def test_the_openapi_document_carries_the_security_scheme_and_every_error(service: Service) -> None:
    spec = service.client.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    operation = spec["paths"]["/vacancies/{vacancy_id}/candidates"]["get"]
    assert operation["security"] == [{"bearer": []}]
    assert {"400", "401", "403", "404", "405", "413", "422", "429", "500", "503"} <= set(operation["responses"])
    # Every error is documented as problem details, in the media type it is sent with, with a schema that resolves.
    assert operation["responses"]["404"]["content"] == {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
    }
    problem = spec["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail", "code"}
    assert problem["properties"]["errors"]["items"] == {"$ref": "#/components/schemas/FieldProblem"}
    assert set(spec["components"]["schemas"]["FieldProblem"]["properties"]) == {"field", "reason"}
    assert spec["paths"]["/health"]["get"]["security"] == []  # public, and says so
    body = spec["paths"]["/jobseekers"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]
