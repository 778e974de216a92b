"""Creating, updating, deactivating and deleting jobseekers and vacancies, as each role: what each role may do,
and that what it was allowed to do took effect (and what it was refused did not).

The authorisation matrix checks that no route refuses a role its rule admits; here each write is followed
through: a jobseeker acts on their own dossier only, consultants manage dossiers and vacancies but delete
nothing, an administrator deletes any record and changes none.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from api.auth import Role
from api.main import create_app
from skillmatch.runtime import Runtime
from tests.auth import OTHER_DOSSIER, OWN_DOSSIER, Tokens, bearer, make_tokens
from tests.factories import jobseeker, vacancy

VACANCY = "V-BAKKER-NL"
NEW_DOSSIER = "J-NEW"
NEW_VACANCY = "V-NEW"


@dataclass
class World:
    client: TestClient
    tokens: Tokens

    def call(self, role: Role, method: str, path: str, **kwargs: object) -> Response:
        """A request signed with a role's token."""
        return self.client.request(method, path, headers=bearer(self.tokens.of(role)), **kwargs)  # type: ignore[arg-type]

    def staff(self, method: str, path: str, **kwargs: object) -> Response:
        """A request signed by a consultant (to look at the outcome)."""
        return self.call(Role.consultant, method, path, **kwargs)


@pytest.fixture
def world(fresh_runtime: Runtime) -> Iterator[World]:
    """Both jobseekers' dossiers and a vacancy are stored (a jobseeker user exists only for a stored dossier)."""
    app = create_app(db=fresh_runtime.db, services=fresh_runtime)
    with TestClient(app) as client:
        world = World(client, make_tokens(fresh_runtime.db))
        assert world.staff("POST", "/jobseekers", json=jobseeker(id=OTHER_DOSSIER)).status_code == 201
        assert world.staff("POST", "/jobseekers", json=jobseeker(postcode="1040")).status_code == 201
        assert world.staff("POST", "/vacancies", json=vacancy()).status_code == 201
        yield world


def _candidates(world: World) -> list[str]:
    return [m["id"] for m in world.staff("GET", f"/vacancies/{VACANCY}/candidates", params={"k": 50}).json()]


# Expected status per role: (consultant, jobseeker, admin).
JOBSEEKER_STEPS: list[tuple[str, str, str, dict[str, object], tuple[int, int, int]]] = [
    ("submit own", "POST", "/jobseekers", {"json": jobseeker()}, (200, 200, 403)),
    ("create another", "POST", "/jobseekers", {"json": jobseeker(id=NEW_DOSSIER)}, (201, 403, 403)),
    ("update own", "POST", "/jobseekers", {"json": jobseeker(postcode="1050")}, (200, 200, 403)),
    ("update another", "POST", "/jobseekers", {"json": jobseeker(id=OTHER_DOSSIER, postcode="1050")}, (200, 403, 403)),
    ("deactivate own", "POST", f"/jobseekers/{OWN_DOSSIER}/deactivate", {}, (200, 200, 403)),
    ("deactivate another", "POST", f"/jobseekers/{OTHER_DOSSIER}/deactivate", {}, (200, 403, 403)),
    ("delete another", "DELETE", f"/jobseekers/{OTHER_DOSSIER}", {}, (403, 403, 204)),
]
VACANCY_STEPS: list[tuple[str, str, str, dict[str, object], tuple[int, int, int]]] = [
    ("create", "POST", "/vacancies", {"json": vacancy(id=NEW_VACANCY)}, (201, 403, 403)),
    ("update", "POST", "/vacancies", {"json": vacancy(title="Bakker-patissier (m/v/x)")}, (200, 403, 403)),
    ("close", "POST", f"/vacancies/{VACANCY}/close", {}, (200, 403, 403)),
    ("delete", "DELETE", f"/vacancies/{VACANCY}", {}, (403, 403, 204)),
]
ROLES = (Role.consultant, Role.jobseeker, Role.admin)


def _run(world: World, role: Role, steps: list[tuple[str, str, str, dict[str, object], tuple[int, int, int]]]) -> None:
    answers = {name: world.call(role, method, path, **kw).status_code for name, method, path, kw, _ in steps}
    assert answers == {name: expected[ROLES.index(role)] for name, *_, expected in steps}


def test_a_consultant_creates_updates_and_deactivates_dossiers_but_deletes_none(world: World) -> None:
    assert world.staff("GET", f"/jobseekers/{OTHER_DOSSIER}").json()["data"]["postcode"] == "1000"
    _run(world, Role.consultant, JOBSEEKER_STEPS)
    other = world.staff("GET", f"/jobseekers/{OTHER_DOSSIER}").json()["data"]
    assert (other["postcode"], other["active"]) == ("1050", False)
    assert _candidates(world) == [NEW_DOSSIER]  # both deactivated dossiers left matching, the new one is in


def test_a_jobseeker_changes_and_deletes_only_their_own_dossier(world: World) -> None:
    _run(world, Role.jobseeker, JOBSEEKER_STEPS)
    assert world.staff("GET", f"/jobseekers/{NEW_DOSSIER}").status_code == 404
    other = world.staff("GET", f"/jobseekers/{OTHER_DOSSIER}").json()["data"]
    assert (other["postcode"], other["active"]) == ("1000", True)  # refused changes left it as it was
    own = world.staff("GET", f"/jobseekers/{OWN_DOSSIER}").json()["data"]
    assert (own["postcode"], own["active"]) == ("1050", False)
    assert _candidates(world) == [OTHER_DOSSIER]
    assert world.call(Role.jobseeker, "DELETE", f"/jobseekers/{OWN_DOSSIER}").status_code == 204
    assert world.staff("GET", f"/jobseekers/{OWN_DOSSIER}").status_code == 404


def test_an_admin_deletes_any_dossier_and_changes_none(world: World) -> None:
    _run(world, Role.admin, JOBSEEKER_STEPS)
    assert world.staff("GET", f"/jobseekers/{OTHER_DOSSIER}").status_code == 404
    own = world.staff("GET", f"/jobseekers/{OWN_DOSSIER}").json()["data"]
    assert (own["postcode"], own["active"]) == ("1040", True)  # every change was refused
    assert _candidates(world) == [OWN_DOSSIER]


def test_a_consultant_creates_updates_and_closes_vacancies_but_deletes_none(world: World) -> None:
    _run(world, Role.consultant, VACANCY_STEPS)
    stored = world.staff("GET", f"/vacancies/{VACANCY}").json()["data"]
    assert (stored["title"], stored["status"]) == ("Bakker-patissier (m/v/x)", "closed")
    suggested = [m["id"] for m in world.staff("GET", f"/jobseekers/{OTHER_DOSSIER}/vacancies").json()]
    assert suggested == [NEW_VACANCY]  # the closed vacancy is no longer suggested


@pytest.mark.parametrize("role", [Role.jobseeker, Role.admin])
def test_only_consultants_change_vacancies_and_only_admins_delete_them(world: World, role: Role) -> None:
    _run(world, role, VACANCY_STEPS)
    assert world.staff("GET", f"/vacancies/{NEW_VACANCY}").status_code == 404
    if role is Role.admin:
        assert world.staff("GET", f"/vacancies/{VACANCY}").status_code == 404
    else:
        stored = world.staff("GET", f"/vacancies/{VACANCY}").json()["data"]
        assert (stored["title"], stored["status"]) == ("Bakker (m/v/x)", "open")
