"""Every read of personal data and every change of rights, users and tokens writes one audit row: who (subject,
name, role), what (action, record), when and why. One test per route that the rule table gives an audit action
(so every action kind, through every route that records it), each reading the log back; then the consultant
acting for a jobseeker at the desk, seen by the jobseeker in their export and on their page, in their language.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.audit import AuditLog
from api.audit_actions import AuditAction
from api.auth import AuthConfig, Role
from api.auth.policy import ON_BEHALF, POLICY, Rule
from api.config import ApiConfig
from api.main import create_app
from api.shortlist import ShortlistStatus
from esco_data import load_esco
from ingestion.models import RecordKind
from skillmatch.db import make_engine
from skillmatch.runtime import Runtime
from tests.auth import OTHER_DOSSIER, OWN_DOSSIER, Tokens, bearer, make_tokens
from tests.esco_uris import COOK, KNEAD_FOOD, PASTRY_MAKER
from tests.factories import jobseeker, vacancy

VACANCY = "V-BAKKER-NL"
ERASED = "J-TO-ERASE"
ORIGIN = {"Origin": "http://testserver"}
REMATCH = {"GET /rematch/jobseekers/{jobseeker_id}/new", "GET /rematch/vacancies/{vacancy_id}/new"}
"""Lists of a rematch run: their rows are read back in ``tests/test_rematch_outbox.py``, after a real run."""
AUDITED = sorted(key for key, rule in POLICY.items() if rule.audit is not None and key not in REMATCH)
_names = itertools.count()


@dataclass
class World:
    client: TestClient
    tokens: Tokens
    runtime: Runtime
    log: AuditLog


@pytest.fixture(scope="module")
def world(slice_runtime: Runtime, esco_slice_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("trail")
    db = make_engine(f"sqlite:///{folder / 'trail.db'}")
    load_esco(db, esco_slice_dir)
    runtime = Runtime.open(slice_runtime.settings, db=db, index_dir=folder / "indexes")
    for record in (jobseeker(), jobseeker(id=OTHER_DOSSIER, preferred_language="nl"), jobseeker(id=ERASED)):
        runtime.ingestion.ingest_one(RecordKind.jobseeker, record)
    runtime.ingestion.ingest_one(RecordKind.vacancy, vacancy())
    app = create_app(db=db, services=runtime, config=ApiConfig(auth=AuthConfig(failures_per_minute=0)))
    with TestClient(app) as client:
        yield World(client, make_tokens(db), runtime, app.state.audit)
    db.dispose()


def _caller(rule: Rule, world: World) -> tuple[str, dict[str, str]]:
    """A token the rule admits (staff first; a consultant on a rights route acts at the desk)."""
    for role in (Role.admin, Role.consultant, Role.jobseeker):
        if role in rule.roles:
            return world.tokens.of(role), {}
    if rule.desk:
        return world.tokens.consultant, {ON_BEHALF: "desk"}
    return world.tokens.jobseeker, {}


def _ids(world: World) -> dict[str, str]:
    """Values of the path parameters: records that exist (a user, a token and a contest made for the call)."""
    store = world.client.app.state.authenticator.tokens  # type: ignore[attr-defined]
    user = store.add_user(f"trail-{next(_names)}", Role.consultant)
    contest = world.runtime.fairness.rights.contest(OWN_DOSSIER, "Pourquoi cette offre ?")
    world.client.app.state.shortlists.put(VACANCY, OWN_DOSSIER, ShortlistStatus.proposed, "test")  # type: ignore[attr-defined]
    return {
        "jobseeker_id": OWN_DOSSIER,
        "vacancy_id": VACANCY,
        "user_id": str(user.id),
        "token_id": str(store.issue(user.id, days=1).info.id),
        "contest_id": str(contest["id"]),
        "lang": "nl",
        "link_id": str(_learned_link(world)),
    }


def _learned_link(world: World) -> int:
    """A link a consultant taught (a correction of the vacancy's occupation), to undo."""
    done = world.runtime.corrections.set_occupation(
        RecordKind.vacancy, VACANCY, PASTRY_MAKER, actor="user:trail", role="consultant", teach=True
    )
    return done.learned[0].id


def _request(key: str, ids: dict[str, str]) -> dict[str, Any]:
    name = f"trail-new-{next(_names)}"
    json_bodies: dict[str, Any] = {
        "POST /jobseekers": jobseeker(),
        "PUT /vacancies/{vacancy_id}/shortlist/{jobseeker_id}": {"status": "contacted"},
        "POST /users": {"name": name, "role": "consultant"},
        "PUT /users/{user_id}/active": {"active": True},
        "POST /users/{user_id}/tokens": {"days": 1},
        "PUT /jobseekers/{jobseeker_id}/opt-out": {"opted_out": True},
        "POST /jobseekers/{jobseeker_id}/contests": {"message": "Cette offre ne me convient pas."},
        "POST /oversight/vacancies/{vacancy_id}/decisions": {
            "jobseeker_id": OWN_DOSSIER, "action": "pin", "reason": "vu au guichet",
        },
        "POST /oversight/contests/{contest_id}/answer": {"answer": "Merci, nous regardons."},
        "PUT /jobseekers/{jobseeker_id}/occupation": {"item": "experiences[0]", "uri": COOK},
        "POST /jobseekers/{jobseeker_id}/skills": {"uri": KNEAD_FOOD},
        "PUT /jobseekers/{jobseeker_id}/languages/{lang}": {"level": "B1"},
        "PUT /vacancies/{vacancy_id}/occupation": {"uri": PASTRY_MAKER},
        "POST /vacancies/{vacancy_id}/skills": {"uri": KNEAD_FOOD},
        "PUT /vacancies/{vacancy_id}/languages/{lang}": {"level": "B2"},
    }  # fmt: skip
    forms = {
        "POST /ui/vacancies/{vacancy_id}/shortlist": {"jobseeker_id": OWN_DOSSIER, "status": "contacted"},
        "POST /ui/vacancies/{vacancy_id}/shortlist/remove": {"jobseeker_id": OWN_DOSSIER},
        "POST /ui/me/skills": {"q": "pétrir la pâte"},
        "POST /ui/me/skills/remove": {"index": "0"},
        "POST /ui/me/contest": {"message": "Je conteste."},
        "POST /ui/admin/users": {"name": name, "role": "consultant"},
        "POST /ui/admin/users/{user_id}/active": {"active": "true"},
        "POST /ui/vacancies/{vacancy_id}/decisions": {"jobseeker_id": OWN_DOSSIER, "action": "pin", "reason": "vu"},
        "POST /ui/queue/contests/{contest_id}": {"answer": "Merci, nous regardons."},
        "POST /ui/me/opt-out": {"out": "false"},
        "POST /ui/me/erase": {"confirm": "yes"},
        "POST /ui/me/vacancies/{vacancy_id}/interest": {"interested": "true"},
        "POST /ui/vacancies/{vacancy_id}/corrections": {"action": "occupation", "uri": PASTRY_MAKER},
        "POST /ui/jobseekers/{jobseeker_id}/corrections": {"action": "language", "lang": "nl", "level": "B1"},
        "POST /ui/me/corrections": {"action": "language", "lang": "nl", "level": "B2"},
    }
    if key in json_bodies:
        return {"json": json_bodies[key]}
    if key in forms:
        return {"data": forms[key]}
    if key.startswith("DELETE /") and key.endswith("/skills"):
        return {"params": {"uri": KNEAD_FOOD}}
    if key == "POST /admin/audit/attributes":
        return {"content": f"id,gender\n{OWN_DOSSIER},F\n", "headers": {"Content-Type": "text/csv"}}
    return {}


@pytest.mark.parametrize("key", AUDITED)
def test_each_audited_route_writes_one_row_who_what_when_why(world: World, key: str) -> None:
    rule = POLICY[key]
    assert rule.audit is not None
    method, template = key.split(" ", 1)
    ids = _ids(world) | ({"jobseeker_id": ERASED} if key == "DELETE /jobseekers/{jobseeker_id}" else {})
    path = re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], template)
    token, params = _caller(rule, world)
    if key == "POST /ui/me/erase":  # the jobseeker erases a dossier of their own that no other test needs
        store = world.client.app.state.authenticator.tokens  # type: ignore[attr-defined]
        dossier = f"J-UI-ERASE-{next(_names)}"
        world.runtime.ingestion.ingest_one(RecordKind.jobseeker, jobseeker(id=dossier))
        token = store.issue(store.add_user(f"trail-{dossier}", Role.jobseeker, dossier).id, days=1).token
        ids = ids | {"jobseeker_id": dossier}
    me = world.client.get("/me", headers=bearer(token)).json()
    before = datetime.now(UTC)
    request = _request(key, ids)
    headers = bearer(token) | ORIGIN | request.pop("headers", {})
    query = params | request.pop("params", {})
    response = world.client.request(method, path, headers=headers, params=query, follow_redirects=False, **request)
    assert response.status_code < 400, f"{key}: {response.status_code} {response.text[:300]}"
    rows = [e for e in world.log.search(action=rule.audit, since=before) if e.actor == me["subject"]]
    assert len(rows) == 1, f"{key} wrote {len(rows)} rows of {rule.audit.value}"
    row = rows[0]
    assert (row.name, row.role) == (me["name"], me["role"])
    assert row.why == (f"on_behalf_{params[ON_BEHALF]}" if params else rule.why or "own_request")
    if "{" in template or key == "POST /jobseekers":  # the record the path or the body names
        assert row.target in ids.values()


def test_every_action_kind_is_written_by_some_route() -> None:
    assert {rule.audit for rule in POLICY.values() if rule.audit} == set(AuditAction)


def test_a_refused_call_writes_no_row(world: World) -> None:
    before = datetime.now(UTC)
    other = world.client.get(f"/jobseekers/{OTHER_DOSSIER}/export", headers=bearer(world.tokens.jobseeker))
    bare = world.client.get(f"/jobseekers/{OWN_DOSSIER}/export", headers=bearer(world.tokens.consultant))
    assert (other.status_code, bare.status_code) == (403, 403)
    assert world.log.search(action=AuditAction.rights_export, since=before) == []


def test_a_consultant_at_the_desk_is_named_to_the_jobseeker_in_their_language(world: World) -> None:
    consultant = bearer(world.tokens.consultant)
    changed = world.client.put(
        f"/jobseekers/{OTHER_DOSSIER}/opt-out", params={ON_BEHALF: "phone"}, headers=consultant,
        json={"opted_out": True},
    )  # fmt: skip
    assert changed.status_code == 200
    export = world.client.get(f"/jobseekers/{OTHER_DOSSIER}/export", headers=bearer(world.tokens.other_jobseeker))
    done = export.json()["done_for_you"]
    name = world.client.get("/me", headers=consultant).json()["name"]
    assert {"by": name, "role": "consultant", "action": "rights_opt_out", "why": "on_behalf_phone"}.items() <= done[
        0
    ].items()
    world.client.cookies.set("skillmatch_token", world.tokens.other_jobseeker)
    try:
        page = world.client.get("/ui/me/progress", params={"lang": "nl"}).text
    finally:
        world.client.cookies.clear()
    assert f"{name}" in page and "wijzigde uw keuze om niet voorgesteld te worden" in page
    assert "op diens vraag, telefonisch" in page


def test_a_consultants_export_for_the_jobseeker_holds_no_protected_attribute(world: World) -> None:
    world.runtime.fairness.exposure.import_rows([{"id": OWN_DOSSIER, "gender": "F", "age_band": "26-45"}])
    mine = world.client.get(f"/jobseekers/{OWN_DOSSIER}/export", headers=bearer(world.tokens.jobseeker)).json()
    desk = world.client.get(
        f"/jobseekers/{OWN_DOSSIER}/export", params={ON_BEHALF: "desk"}, headers=bearer(world.tokens.consultant)
    ).json()
    assert mine["audit_attributes"]["gender"] == "F"  # the jobseeker's own data, theirs to see
    assert desk["audit_attributes"] is None and "26-45" not in str(desk)
