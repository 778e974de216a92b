"""Privacy classes of issue 21 (SECURITY.md): protected attributes planted in every place they could enter never
reach a consultant (API, pages, CSV) nor the quarantine; browser hardening (headers on every page, no cross-site
form post or sign-in, no text of a link shown as a message); jobseeker users only for a dossier that exists,
and none after its erasure (told in the jobseeker's language); the data directory private to its user.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.auth import AuthConfig, Role
from api.auth.policy import ON_BEHALF, route_keys, rule_for
from api.config import ApiConfig
from api.main import create_app
from api.shortlist import ShortlistStatus
from esco_data import load_esco
from ingestion.models import RecordKind
from ingestion.quarantine import export_quarantine
from ingestion.readers import read_jsonl
from skillmatch.db import make_engine
from skillmatch.runtime import Runtime
from skillmatch.settings import REPO_ROOT
from tests.auth import OWN_DOSSIER, Tokens, bearer, make_tokens
from tests.factories import jobseeker, vacancy

VACANCY = "V-BAKKER-NL"
PLANTED = "J-PLANTED"
PROTECTED = {
    "gender": "Xgenderplant",
    "birth_date": "1961-07-04",
    "age": "Xageplant",
    "nationality": "Xnationalityplant",
    "disability": "Xdisabilityplant",
    "family_situation": "Xfamilyplant",
    "marital_status": "Xmaritalplant",
    "children": "Xchildrenplant",
}
SUMMARY = (
    "Boulanger depuis dix ans. J'ai 52 ans. Je suis de nationalité marocaine. Je suis une femme. "
    "J'ai un handicap moteur. Je suis mariée, 3 enfants."
)
SAID = ("52 ans", "marocaine", "une femme", "handicap moteur", "mariée")
AUDIT_VALUES = {"gender": "Xauditgender", "age_band": "Xauditage", "nationality_group": "Xauditorigin"}
MARKERS = (*PROTECTED.values(), *SAID, *AUDIT_VALUES.values())
ORIGIN = {"Origin": "http://testserver"}


@dataclass
class Site:
    client: TestClient
    tokens: Tokens
    runtime: Runtime


@pytest.fixture(scope="module")
def site(slice_runtime: Runtime, esco_slice_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Every place a protected attribute could enter, planted: a dossier's fields and summary, the restricted
    audit table, and a rejected line in the quarantine."""
    folder = tmp_path_factory.mktemp("privacy")
    db = make_engine(f"sqlite:///{folder / 'privacy.db'}")
    load_esco(db, esco_slice_dir)
    runtime = Runtime.open(slice_runtime.settings, db=db, index_dir=folder / "indexes")
    planted = jobseeker(id=PLANTED, summary=SUMMARY) | PROTECTED
    for record in (jobseeker(), planted):
        runtime.ingestion.ingest_one(RecordKind.jobseeker, record)
    runtime.ingestion.ingest_one(RecordKind.vacancy, vacancy())
    rejected = jobseeker(id="J-REJECTED", summary=SUMMARY, languages={"fr": "D9"}) | PROTECTED
    summary = runtime.ingestion.ingest(RecordKind.jobseeker, read_jsonl(json.dumps(rejected)), source="bad.jsonl")
    assert summary.quarantined == 1
    runtime.fairness.exposure.import_rows([{"id": PLANTED, **AUDIT_VALUES}, {"id": OWN_DOSSIER, **AUDIT_VALUES}])
    app = create_app(db=db, services=runtime, config=ApiConfig(auth=AuthConfig(failures_per_minute=0)))
    with TestClient(app) as client:
        site = Site(client, make_tokens(db), runtime)
        app.state.shortlists.put(VACANCY, PLANTED, ShortlistStatus.proposed, "test")
        yield site
    db.dispose()


def _fill(template: str, dossier: str) -> str:
    values = {"jobseeker_id": dossier, "vacancy_id": VACANCY}
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "1"), template)


def test_no_protected_attribute_reaches_a_consultant_anywhere(site: Site) -> None:
    """Every GET route a consultant may call (API, pages, CSV; on a rights route at the jobseeker's request),
    on the planted dossier: none of the planted values, fields or sentences comes back."""
    consultant = bearer(site.tokens.consultant)
    read, leaks = [], []
    for method, path, _ in route_keys(site.client.app):
        rule = rule_for(method, path)
        if method != "GET" or rule is None or path.startswith(("/static", "/swagger-ui")):
            continue
        if not (Role.consultant in rule.roles or rule.desk or rule.public):
            continue
        params = {ON_BEHALF: "desk"} if rule.desk else {}
        for dossier in (PLANTED, OWN_DOSSIER):
            response = site.client.get(_fill(path, dossier), headers=consultant, params=params)
            read.append((path, response.status_code))
            leaks += [f"{path} ({dossier}): {m}" for m in MARKERS if m.lower() in response.text.lower()]
    assert ("/jobseekers/{jobseeker_id}/export", 200) in read and ("/ui/vacancies/{vacancy_id}", 200) in read
    assert ("/vacancies/{vacancy_id}/shortlist.csv", 200) in read
    assert leaks == []


def test_the_quarantine_keeps_and_shows_no_protected_attribute_nor_contact(site: Site) -> None:
    stored = export_quarantine(site.runtime.db)  # what the API, the admin page and the CLI export read
    assert [r["record_id"] for r in stored] == ["J-REJECTED"]
    text = str(stored)
    assert [m for m in MARKERS if m.lower() in text.lower()] == []
    assert "marie.dubois@example.be" not in text and "(removed)" in text
    assert "Boulanger depuis dix ans." in text  # what is not protected stays, to fix the record
    admin = site.client.get("/quarantine", headers=bearer(site.tokens.admin)).text
    assert [m for m in MARKERS if m.lower() in admin.lower()] == [] and "example.be" not in admin


def test_every_html_page_carries_the_security_headers(site: Site) -> None:
    checked = 0
    for method, path, _ in route_keys(site.client.app):
        rule = rule_for(method, path)
        if method != "GET" or rule is None or path.startswith(("/static", "/swagger-ui")):
            continue
        role = next((r for r in (Role.admin, Role.consultant, Role.jobseeker) if r in rule.roles), Role.jobseeker)
        response = site.client.get(_fill(path, OWN_DOSSIER), headers=bearer(site.tokens.of(role)))
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue
        checked += 1
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
        assert (response.headers["x-frame-options"], response.headers["x-content-type-options"]) == (
            "DENY",
            "nosniff",
        ), path
        assert not re.search(r"<script(?![^>]*\bsrc=)", response.text), f"{path} has an inline script"
        assert ' style="' not in response.text and not re.search(r"<[^>]+\son[a-z]+=", response.text), path
    assert checked >= 10  # the pages of every role, /docs and the sign-in page


def test_a_cross_site_form_post_and_sign_in_are_refused(site: Site) -> None:
    client, token = site.client, site.tokens.jobseeker
    contests = len(site.runtime.fairness.rights.contests(jobseeker_id=OWN_DOSSIER))
    client.cookies.set("skillmatch_token", token)
    try:
        evil = client.post("/ui/me/contest", data={"message": "x"}, headers={"Origin": "https://evil.example"})
        bare = client.post("/ui/me/contest", data={"message": "x"})  # neither Origin nor Referer
        site_post = client.post(
            "/ui/me/contest", data={"message": "Je conteste."}, headers=ORIGIN, follow_redirects=False
        )
    finally:
        client.cookies.clear()
    assert (evil.status_code, bare.status_code, site_post.status_code) == (403, 403, 303)
    assert len(site.runtime.fairness.rights.contests(jobseeker_id=OWN_DOSSIER)) == contests + 1
    login = client.post("/login", data={"token": token}, headers={"Origin": "https://evil.example"})
    assert login.status_code == 403 and "set-cookie" not in login.headers
    assert "ne vient pas de ce site" in login.text
    ok = client.post("/login", data={"token": token}, headers=ORIGIN, follow_redirects=False)
    assert ok.status_code == 303 and "skillmatch_token=" in ok.headers["set-cookie"]
    client.cookies.clear()


def test_the_dossier_page_shows_no_text_a_link_carries(site: Site) -> None:
    client = site.client
    client.cookies.set("skillmatch_token", site.tokens.jobseeker)
    try:
        forged = client.get("/ui/me", params={"said": "linked", "text": "Appelez le 0900 12 34", "skill": "0900"})
        unknown = client.get("/ui/me", params={"said": "Appelez le 0900 12 34"})
        longer = client.get("/ui/me", params={"said": "Votre compte est bloqué : appelez vite le 0900 12 34"})
        known = client.get("/ui/me", params={"said": "invalid", "lang": "nl"})
    finally:
        client.cookies.clear()
    assert forged.status_code == 200 and "0900 12 34" not in forged.text
    assert unknown.status_code == 200 and "0900 12 34" not in unknown.text and 'role="status"' not in unknown.text
    assert longer.status_code == 422 and "0900 12 34" not in longer.text
    assert "Deze vaardigheid kon niet opgeslagen worden" in known.text


def test_a_jobseeker_user_only_for_an_existing_dossier_and_none_after_its_erasure(site: Site) -> None:
    admin = bearer(site.tokens.admin)
    missing = site.client.post("/users", headers=admin, json={"name": "j-ghost", "role": "jobseeker",
                                                               "jobseeker_id": "J99999"})  # fmt: skip
    assert missing.status_code == 409 and "no dossier 'J99999'" in missing.json()["detail"]
    page = site.client.post(
        "/ui/admin/users",
        headers=admin | ORIGIN,
        data={"name": "j-ghost", "role": "jobseeker", "jobseeker_id": "J99999"},
    )
    assert page.status_code == 422
    store = site.client.app.state.authenticator.tokens  # type: ignore[attr-defined]
    assert store.user_by_name("j-ghost") is None
    site.runtime.ingestion.ingest_one(RecordKind.jobseeker, jobseeker(id="J-LEAVING", preferred_language="nl"))
    user = store.add_user("j-leaving", Role.jobseeker, "J-LEAVING")
    token = store.issue(user.id, days=1).token
    assert site.client.delete("/jobseekers/J-LEAVING", headers=bearer(token)).status_code == 204
    api = site.client.get("/me", headers=bearer(token))
    assert api.status_code == 401 and "erased" in api.json()["detail"]
    login = site.client.post("/login", data={"token": token}, headers=ORIGIN | {"Accept-Language": "nl-BE"})
    assert login.status_code == 401 and "Uw dossier is gewist" in login.text and "set-cookie" not in login.headers
    french = site.client.post("/login", data={"token": token}, headers=ORIGIN | {"Accept-Language": "fr"})
    assert "Votre dossier a été effacé" in french.text


def test_the_data_directory_is_private_to_the_services_user(tmp_path: Path) -> None:
    """The real command, as an operator runs it: the database it creates is 0600 in a 0700 folder, and files a
    data directory already held (0644) are made private."""
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    old = data / "encoder_cache.sqlite"
    old.write_text("x")
    old.chmod(0o644)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SKILLMATCH_")} | {"SKILLMATCH_DATA_DIR": str(data)}
    done = subprocess.run(
        [str(Path(sys.executable).with_name("skillmatch")), "users", "list"],
        env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in [data, *data.rglob("*")]}
    assert modes["data"] == 0o700 and modes["skillmatch.db"] == 0o600 and modes["encoder_cache.sqlite"] == 0o600
    assert all(mode & 0o077 == 0 for mode in modes.values()), modes
