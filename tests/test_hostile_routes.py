"""Hostile input to every route of the app, taken from ``app.routes`` (the pages' routes hidden from the schema
included), never from a hand list: a body nested 200,000 deep under every content type, and a huge integer in
every integer parameter (path, query or form). Each call is made as a caller the route's rule admits, so that it
reaches the body and the parameters; none may answer 5xx.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.auth import AuthConfig, Role
from api.auth.policy import ON_BEHALF, Rule, route_keys, rule_for
from api.config import ApiConfig
from api.main import create_app
from esco_data import load_esco
from ingestion.models import RecordKind
from skillmatch.db import make_engine
from skillmatch.runtime import Runtime
from tests.auth import OWN_DOSSIER, Tokens, bearer, make_tokens
from tests.factories import jobseeker, vacancy

NESTED = b"[" * 200_000 + b"]" * 200_000
HUGE = "9" * 23
CONTENT_TYPES = (None, "text/plain", "application/json", "application/x-www-form-urlencoded")
MOUNTS = {"/static", "/swagger-ui"}


@pytest.fixture(scope="module")
def app_tokens(
    slice_runtime: Runtime, esco_slice_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[FastAPI, Tokens]]:
    folder = tmp_path_factory.mktemp("hostile-routes")
    db = make_engine(f"sqlite:///{folder / 'hostile.db'}")
    load_esco(db, esco_slice_dir)
    runtime = Runtime.open(slice_runtime.settings, db=db, index_dir=folder / "indexes")
    runtime.ingestion.ingest_one(RecordKind.jobseeker, jobseeker())
    runtime.ingestion.ingest_one(RecordKind.vacancy, vacancy())
    app = create_app(db=db, services=runtime, config=ApiConfig(auth=AuthConfig(failures_per_minute=0)))
    yield app, make_tokens(db)
    db.dispose()


def _caller(rule: Rule, tokens: Tokens) -> tuple[dict[str, str], dict[str, str]]:
    """Headers and query parameters of a caller the rule admits."""
    if rule.public:
        return {}, {}
    for role in (Role.admin, Role.consultant, Role.jobseeker):
        if role in rule.roles:
            return bearer(tokens.of(role)), {}
    if rule.owner is not None or rule.own_body:
        return bearer(tokens.jobseeker), {}
    return bearer(tokens.consultant), {ON_BEHALF: "desk"}


def _path(template: str) -> str:
    values = {"jobseeker_id": OWN_DOSSIER, "vacancy_id": "V-BAKKER-NL"}
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "1"), template)


def _is_int(annotation: Any) -> bool:
    return annotation is int or any(_is_int(a) for a in get_args(annotation))


def _int_params(route: Any) -> dict[str, list[str]]:
    """Integer parameters of a route, by where they go (path, query, form)."""
    found: dict[str, list[str]] = {"path": [], "query": [], "form": []}
    stack = [route.dependant]
    while stack:
        dep = stack.pop()
        for where, fields in (("path", dep.path_params), ("query", dep.query_params), ("form", dep.body_params)):
            found[where] += [f.alias for f in fields if _is_int(f.field_info.annotation)]
        stack.extend(dep.dependencies)
    return found


def _routes(app: FastAPI) -> list[tuple[str, str, Any, Rule]]:
    out = []
    for method, path, route in route_keys(app):
        rule = rule_for(method, path)
        if path not in MOUNTS and rule is not None:
            out.append((method, path, route, rule))
    return out


def test_a_nested_body_under_any_content_type_is_never_a_5xx(app_tokens: tuple[FastAPI, Tokens]) -> None:
    app, tokens = app_tokens
    with_body = [r for r in _routes(app) if r[0] in ("POST", "PUT", "PATCH")]
    declares = {f"{m} {p}" for m, p, route, _ in with_body if route.body_field is not None and route.include_in_schema}
    assert {"POST /jobseekers", "PUT /users/{user_id}/active", "POST /ui/me/skills"} <= {
        f"{m} {p}" for m, p, _, _ in with_body
    }
    failures = []
    with TestClient(app, raise_server_exceptions=False) as client:
        for method, path, _, rule in with_body:
            headers, params = _caller(rule, tokens)
            for kind in CONTENT_TYPES:
                sent = headers | {"Origin": "http://testserver"} | ({"Content-Type": kind} if kind else {})
                response = client.request(
                    method, _path(path), content=NESTED, headers=sent, params=params, follow_redirects=False
                )
                if response.status_code >= 500:
                    failures.append(f"{method} {path} ({kind}): {response.status_code}")
                elif kind in (None, "text/plain", "application/json") and f"{method} {path}" in declares:
                    # JSON routes say why: 400 invalid-json (or 413/422 for what is not theirs to parse)
                    assert response.status_code in (400, 413, 422), f"{method} {path} ({kind}): {response.text}"
    assert failures == []


def test_a_huge_integer_in_any_integer_parameter_is_never_a_5xx(app_tokens: tuple[FastAPI, Tokens]) -> None:
    app, tokens = app_tokens
    failures, tried = [], []
    with TestClient(app, raise_server_exceptions=False) as client:
        for method, path, route, rule in _routes(app):
            params_of = _int_params(route)
            if not any(params_of.values()):
                continue
            headers, params = _caller(rule, tokens)
            url = _path(path)
            for name in params_of["path"]:
                url = _path(path.replace("{" + name + "}", HUGE))
            query = params | dict.fromkeys(params_of["query"], HUGE)
            form = dict.fromkeys(params_of["form"], HUGE) or None
            response = client.request(
                method, url, params=query, data=form, headers=headers | {"Origin": "http://testserver"}
            )
            tried.append(f"{method} {path}")
            if response.status_code >= 500:
                failures.append(f"{method} {path}: {response.status_code}")
    assert {"POST /oversight/contests/{contest_id}/answer", "GET /admin/audit/runs/{run_id}",
            "POST /ui/admin/users/{user_id}/tokens", "POST /ui/admin/tokens/{token_id}/revoke",
            "GET /ui/admin/exposure"} <= set(tried)  # fmt: skip
    assert failures == []


def test_every_integer_parameter_is_bounded_where_it_is_declared(app_tokens: tuple[FastAPI, Tokens]) -> None:
    """Every integer of a path, a query or a form states both bounds (``api.routes.common.RowId`` and kin)."""
    app, _ = app_tokens
    unbounded = []
    for method, path, route, _ in _routes(app):
        stack = [route.dependant]
        while stack:
            dep = stack.pop()
            for field in [*dep.path_params, *dep.query_params, *dep.body_params]:
                if not _is_int(field.field_info.annotation):
                    continue
                bounds = {type(m).__name__ for m in field.field_info.metadata}
                if not ({"Ge", "Gt"} & bounds and {"Le", "Lt"} & bounds):
                    unbounded.append(f"{method} {path} {field.alias}")
            stack.extend(dep.dependencies)
    assert unbounded == []
