"""The authorisation matrix, generated from the app's routes: every route x every role x no token, a bad token,
an expired token, own and another jobseeker's dossier, and a consultant with and without ``on_behalf``; each
cell checked against the one table of rules (``api.auth.policy.POLICY``), from which the README's table of
routes is generated. A route without a rule fails here (and the app refuses to start).

Denied calls answer 401, 403 or 404 and never data; allowed calls are never refused for who the caller is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from api.auth import AuthConfig, Role
from api.auth.policy import ON_BEHALF, POLICY, check_routes, readme_table, route_keys, rule_for
from api.config import ApiConfig
from api.main import create_app
from api.shortlist import ShortlistStatus
from esco_data import load_esco
from ingestion.models import RecordKind
from skillmatch.db import make_engine
from skillmatch.runtime import Runtime
from tests.auth import OTHER_DOSSIER, OWN_DOSSIER, Tokens, bearer, make_tokens
from tests.esco_uris import BAKER, KNEAD_FOOD
from tests.factories import jobseeker, vacancy

MOUNTS = {"/static", "/swagger-ui"}
"""Folders of files (CSS, JS, Swagger UI's assets): public, no route of their own."""
ORIGIN = {"Origin": "http://testserver"}
VACANCY = "V-BAKKER-NL"
SECRET_MARKERS = ("marie.dubois@example.be", '"data"', "Marie Dubois")
"""What a dossier answer holds and a refusal never does."""


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class World:
    app: FastAPI
    tokens: Tokens


def _endpoints(app: FastAPI) -> list[tuple[Endpoint, Any]]:
    return [(Endpoint(m, p), route) for m, p, route in route_keys(app) if p not in MOUNTS]


@pytest.fixture(scope="module")
def world(slice_runtime: Runtime, esco_slice_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """An app over a database of its own: two jobseekers (one per jobseeker token), a vacancy, a shortlist."""
    folder = tmp_path_factory.mktemp("matrix")
    db = make_engine(f"sqlite:///{folder / 'matrix.db'}")
    load_esco(db, esco_slice_dir)
    runtime = Runtime.open(slice_runtime.settings, db=db, index_dir=folder / "indexes")
    runtime.ingestion.ingest_one(RecordKind.jobseeker, jobseeker())
    runtime.ingestion.ingest_one(RecordKind.jobseeker, jobseeker(id=OTHER_DOSSIER, preferred_language="nl"))
    runtime.ingestion.ingest_one(RecordKind.vacancy, vacancy())
    config = ApiConfig(auth=AuthConfig(failures_per_minute=0))
    app = create_app(db=db, services=runtime, config=config)
    app.state.shortlists.put(VACANCY, OWN_DOSSIER, ShortlistStatus.proposed, "test")
    yield World(app, make_tokens(db))
    db.dispose()


def _path(template: str, dossier: str) -> str:
    values = {
        "jobseeker_id": dossier, "vacancy_id": VACANCY, "user_id": "999999", "token_id": "999999", "lang": "nl",
        "link_id": "999999",
    }  # fmt: skip
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "x"), template)


def _body(endpoint: Endpoint, dossier: str) -> dict[str, Any]:
    """A valid body for the calls that take one (JSON for the API, a form for the pages)."""
    json_bodies: dict[str, Any] = {
        "POST /link": {"text": "bakker"},
        "POST /jobseekers": jobseeker(id=dossier),
        "POST /vacancies": vacancy(),
        "PUT /vacancies/{vacancy_id}/shortlist/{jobseeker_id}": {"status": "contacted"},
        "POST /users": {"name": "matrix-user", "role": "consultant"},
        "PUT /users/{user_id}/active": {"active": True},
        "POST /users/{user_id}/tokens": {"days": 1},
        "PUT /vacancies/{vacancy_id}/occupation": {"uri": BAKER},
        "POST /vacancies/{vacancy_id}/skills": {"uri": KNEAD_FOOD},
        "PUT /vacancies/{vacancy_id}/languages/{lang}": {"level": "B1"},
        "PUT /jobseekers/{jobseeker_id}/occupation": {"item": "experiences[0]", "uri": BAKER},
        "POST /jobseekers/{jobseeker_id}/skills": {"uri": KNEAD_FOOD},
        "PUT /jobseekers/{jobseeker_id}/languages/{lang}": {"level": "B1"},
    }
    forms: dict[str, dict[str, str]] = {
        "POST /login": {"token": "smt_not-a-token"},
        "POST /ui/vacancies": {"title": "Boulanger (h/f/x)", "language": "fr"},
        "POST /ui/vacancies/{vacancy_id}/shortlist": {"jobseeker_id": dossier, "status": "contacted"},
        "POST /ui/vacancies/{vacancy_id}/shortlist/remove": {"jobseeker_id": "J-NOBODY"},
        "POST /ui/me/skills": {"q": ""},
        "POST /ui/me/skills/remove": {"index": "999"},
        "POST /ui/admin/users": {"name": "matrix-page-user", "role": "consultant"},
    }
    key = str(endpoint)
    if key in json_bodies:
        return {"json": json_bodies[key]}
    if key in forms:
        return {"data": forms[key]}
    return {}


def _call(
    client: TestClient, endpoint: Endpoint, token: str | None, dossier: str, on_behalf: str | None = None
) -> Response:
    headers = (bearer(token) if token else {}) | ORIGIN
    return client.request(
        endpoint.method, _path(endpoint.path, dossier), headers=headers, follow_redirects=False,
        params={ON_BEHALF: on_behalf} if on_behalf else None, **_body(endpoint, dossier),
    )  # fmt: skip


def _refused(response: Response, statuses: tuple[int, ...]) -> str | None:
    """Why a refusal is not one (None when it is)."""
    if response.status_code not in statuses:
        return f"answered {response.status_code}, expected one of {statuses}"
    if any(marker in response.text for marker in SECRET_MARKERS):
        return "the refusal carries dossier data"
    return None


def _order(item: tuple[Endpoint, Any]) -> tuple[int, bool, str]:
    # Reads first, then writes, deletions last (they change what later calls find), the erasure of the
    # jobseeker's own dossier at the very end (their token stops working with it).
    erasure = str(item[0]) == "DELETE /jobseekers/{jobseeker_id}"
    return ({"GET": 0, "POST": 1, "PUT": 1, "DELETE": 2}.get(item[0].method, 1), erasure, str(item[0]))


def test_a_jobseeker_reads_their_own_dossier_and_not_another(world: World) -> None:
    with TestClient(world.app, headers=bearer(world.tokens.jobseeker)) as client:
        own = client.get(f"/jobseekers/{OWN_DOSSIER}")
        other = client.get(f"/jobseekers/{OTHER_DOSSIER}")
        overwrite = client.post("/jobseekers", json=jobseeker(id=OTHER_DOSSIER, active=False))
    assert own.status_code == 200 and own.json()["id"] == OWN_DOSSIER
    assert other.status_code == 403 and other.json()["code"] == "forbidden"
    assert overwrite.status_code == 403
    assert world.app.state.services.engine.stats()["jobseeker"]["indexed"] >= 1


def test_anonymous_read_of_a_dossier_is_a_401_problem(world: World) -> None:
    with TestClient(world.app) as client:
        response = client.get(f"/jobseekers/{OWN_DOSSIER}")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["code"] == "unauthorized"


def test_every_route_has_a_rule_and_every_rule_a_route(world: World) -> None:
    endpoints = _endpoints(world.app)
    assert [str(e) for e, _ in endpoints if rule_for(e.method, e.path) is None] == []
    assert sorted(set(POLICY) - {str(e) for e, _ in endpoints}) == []  # no rule left for a route that is gone


def test_the_routes_checked_are_those_the_app_serves(world: World) -> None:
    """The check reads the routes as declared (nothing built); FastAPI's own iteration builds them: same list."""
    from fastapi.routing import iter_route_contexts

    built = [
        (method, str(route.path))
        for route in iter_route_contexts(world.app.routes)
        for method in sorted(getattr(route, "methods", None) or ()) or ["GET"]
        if method != "HEAD"
    ]
    assert [(m, p) for m, p, _ in route_keys(world.app)] == built


def test_an_app_with_a_route_without_a_rule_is_refused() -> None:
    from fastapi import APIRouter

    inner, outer = APIRouter(prefix="/inner"), APIRouter()
    inner.add_api_route("/unruled", lambda: None, methods=["POST"])
    outer.include_router(inner, prefix="/outer")
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(outer)
    app.add_api_route("/also-unruled", lambda: None)
    with pytest.raises(RuntimeError, match=r"\['POST /outer/inner/unruled', 'GET /also-unruled'\]"):
        check_routes(app)


def test_the_readme_table_of_routes_is_the_rule_table() -> None:
    """The README's table is generated from the rules (``python -m api.auth``), never typed."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    begin, end = "<!-- routes: generated by python -m api.auth -->\n", "<!-- routes: end -->"
    assert begin in readme and end in readme, "the README lost the markers of its generated table of routes"
    table = readme.split(begin, 1)[1].split(end, 1)[0]
    assert table == readme_table(create_app(db=make_engine("sqlite://")))


def test_the_matrix_covers_the_api_and_the_pages(world: World) -> None:
    paths = {e.path for e, _ in _endpoints(world.app)}
    assert {"/jobseekers/{jobseeker_id}", "/vacancies/{vacancy_id}/candidates", "/audit", "/ui/me"} <= paths


def test_authorisation_matrix(world: World) -> None:
    tokens = world.tokens
    problems: list[str] = []
    with TestClient(world.app) as client:
        for endpoint, _ in sorted(_endpoints(world.app), key=_order):
            rule = rule_for(endpoint.method, endpoint.path)
            assert rule is not None, f"{endpoint} declares no rule"
            if rule.public:
                for label, token in (("no token", None), ("bad token", "smt_bad")):
                    status = _call(client, endpoint, token, OWN_DOSSIER).status_code
                    # (POST /login answers 401 to the bad token in its form: that is its job.)
                    if status == 403 or (status == 401 and str(endpoint) != "POST /login"):
                        problems.append(f"{endpoint} is public but answered {status} with {label}")
                continue
            for label, token in (
                ("no token", None),
                ("bad token", "smt_" + "A" * 43),
                ("malformed JWT", "eyJhbGciOiJub25lIn0.e30.x"),
                ("expired token", tokens.expired),
            ):
                if why := _refused(_call(client, endpoint, token, OWN_DOSSIER), (401,)):
                    problems.append(f"{endpoint} with {label}: {why}")
            if rule.owner is not None or rule.own_body:
                response = _call(client, endpoint, tokens.jobseeker, OTHER_DOSSIER)
                if Role.jobseeker not in rule.roles and (why := _refused(response, (403, 404))):
                    problems.append(f"{endpoint} on another jobseeker's dossier: {why}")
            for role in Role:
                response = _call(client, endpoint, tokens.of(role), OWN_DOSSIER)
                desk_only = rule.desk and role is Role.consultant and role not in rule.roles
                if rule.admits(role) and not desk_only:
                    if response.status_code in (401, 403):
                        problems.append(f"{endpoint} refused {role.value} ({response.status_code})")
                elif why := _refused(response, (403, 404)):
                    problems.append(f"{endpoint} as {role.value}: {why}")
            if rule.desk:  # a consultant acts on a jobseeker's rights only saying how the jobseeker asked
                response = _call(client, endpoint, tokens.consultant, OWN_DOSSIER, on_behalf="desk")
                if response.status_code in (401, 403):
                    problems.append(f"{endpoint} refused a consultant on_behalf=desk ({response.status_code})")
                if why := _refused(_call(client, endpoint, tokens.consultant, OWN_DOSSIER, "anyhow"), (403,)):
                    problems.append(f"{endpoint} with a made-up on_behalf: {why}")
    assert problems == []
