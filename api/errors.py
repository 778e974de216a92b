"""Every error the service gives, in one shape: RFC 9457 problem details (``application/problem+json``).

    {"type": "/problems/validation-error", "title": "Invalid request", "status": 422,
     "detail": "languages.fr: CEFR level must be one of A1, A2, B1, B2, C1, C2, not 'D1'",
     "instance": "/jobseekers", "code": "validation-error",
     "errors": [{"field": "languages.fr", "reason": "CEFR level must be one of A1, A2, B1, B2, C1, C2, not 'D1'"}]}

``type`` names the kind of problem (its last part is also in ``code``), ``errors`` lists the field/reason
pairs of a validation error. Core exceptions are translated here; anything unexpected becomes a 500 problem,
logged once with its traceback's places but without the request body, query or exception message (they may
hold personal data).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth.guard import Forbidden, NotAuthenticated, TooManyAttempts
from esco_data import TaxonomyNotLoaded, UnknownConcept
from ingestion.validation import InvalidRecord, field_path
from matching.errors import ConceptSpaceNotBuilt, IndexNotBuilt, IndexUnavailable, UnknownProfile

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("skillmatch.api")


class FieldProblem(BaseModel):
    """One field of the request and what is wrong with it."""

    field: str = Field(examples=["languages.fr"])
    reason: str = Field(examples=["CEFR level must be one of A1, A2, B1, B2, C1, C2, not 'D1'"])


class Problem(BaseModel):
    """An error, as RFC 9457 problem details."""

    type: str = Field(description="The kind of problem, as a URI reference.", examples=["/problems/not-found"])
    title: str = Field(description="A short summary of the kind of problem.", examples=["Not found"])
    status: int = Field(description="The HTTP status code.", examples=[404])
    detail: str = Field(description="What went wrong this time, for people.", examples=["no vacancy with id 'V9'"])
    instance: str | None = Field(default=None, description="The request path.", examples=["/vacancies/V9"])
    code: str = Field(description="The last part of ``type``, for programs.", examples=["not-found"])
    errors: list[FieldProblem] = Field(default_factory=list, description="Field/reason pairs (validation errors).")


_TITLES = {
    "validation-error": "Invalid request",
    "invalid-json": "The body is not valid JSON",
    "not-found": "Not found",
    "unknown-concept": "Unknown ESCO concept",
    "not-ready": "Service not ready",
    "nothing-indexed": "Nothing to match against yet",
    "index-unavailable": "Index temporarily unavailable",
    "internal-error": "Internal error",
    "unauthorized": "Sign-in required",
    "forbidden": "Not allowed",
    "too-many-requests": "Too many requests",
    "payload-too-large": "Request body too large",
}


def problem_response(
    status: int,
    code: str,
    detail: str,
    *,
    instance: str | None = None,
    errors: list[dict[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    """A problem-details response.

    Args:
        status: the HTTP status code.
        code: the kind of problem (``validation-error``, ``not-found`` ...); ``type`` is ``/problems/<code>``.
        detail: what went wrong, for people.
        instance: the request path.
        errors: field/reason pairs.
        headers: response headers (e.g. ``Allow`` on a 405).
        extra: more members (RFC 9457 extensions), e.g. the failing readiness checks.
    """
    title = _TITLES.get(code) or HTTPStatus(status).phrase
    body = Problem(
        type=f"/problems/{code}",
        title=title,
        status=status,
        detail=detail,
        instance=instance,
        code=code,
        errors=[FieldProblem(**e) for e in errors or []],
    ).model_dump()
    return JSONResponse(body | (extra or {}), status_code=status, headers=dict(headers or {}), media_type=PROBLEM_JSON)


class Conflict(Exception):
    """The request conflicts with what is stored (409), e.g. a user name that is taken."""


PATTERN_REASONS: dict[str, str] = {}
"""Patterns of the schema -> the reason a person reads when a value does not match (``{value!r}``: the value)."""


def _request_fields(exc: RequestValidationError) -> tuple[list[dict[str, str]], bool]:
    """Field/reason pairs of a request validation error, and whether the body was not JSON at all."""
    fields = []
    bad_json = False
    for err in exc.errors():
        loc = list(err.get("loc", ()))
        where = loc[0] if loc and loc[0] in ("body", "query", "path", "header", "cookie") else None
        rest = loc[1:] if where else loc
        rest = [p for p in rest if not (isinstance(p, str) and p.startswith(("function-", "literal[")))]
        reason = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
        pattern = err.get("ctx", {}).get("pattern") if err.get("type") == "string_pattern_mismatch" else None
        if pattern in PATTERN_REASONS:
            reason = PATTERN_REASONS[pattern].format(value=err.get("input"))
        if err.get("type") == "missing":
            reason = "this field is required"
        if err.get("type") == "json_invalid":
            bad_json = True
            # The location's number is a character position in the body, not a list index.
            where_at = f" (at character {rest[0]})" if rest else ""
            detail = err.get("ctx", {}).get("error", reason)
            rest, reason = [], f"the body is not valid JSON: {detail}{where_at}"
        name = field_path(rest) if rest else "(body)"
        fields.append({"field": name if where in (None, "body") else f"{where}.{name}", "reason": reason})
    return fields, bad_json


def _codes(status: int) -> str:
    return {404: "not-found", 405: "method-not-allowed", 413: "payload-too-large"}.get(status) or HTTPStatus(
        status
    ).phrase.lower().replace(" ", "-")


def allowed_methods(app: FastAPI, scope: Scope) -> str:
    """The methods some route of the app answers on this path (for a 405's ``Allow``)."""
    from fastapi.routing import iter_route_contexts
    from starlette.routing import Match

    methods: set[str] = set()
    for route in iter_route_contexts(app.routes):
        match, _ = route.matches(scope)
        if match is not Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods))


def is_page(path: str) -> bool:
    """Whether a path is one of the web pages (HTML), not the JSON API."""
    return path == "/" or path.startswith(("/ui", "/login", "/logout"))


def _page_or_problem(
    request: Request,
    status: int,
    code: str,
    detail: str,
    headers: Mapping[str, str] | None = None,
    **page_context: Any,
) -> Response:
    """An HTML page for the web pages (the sign-in page on 401), problem details for the API."""
    render = getattr(request.app.state, "page_error", None)
    if render is not None and is_page(request.url.path):
        page: Response = render(request, status, detail, **page_context)
        page.headers.update(headers or {})
        return page
    return problem_response(status, code, detail, instance=request.url.path, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every error into problem details."""

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        fields, bad_json = _request_fields(exc)
        message = "; ".join(f"{f['field']}: {f['reason']}" for f in fields)
        code, status = ("invalid-json", 400) if bad_json else ("validation-error", 422)
        if is_page(request.url.path):
            return _page_or_problem(request, status, code, message)
        return problem_response(status, code, message, instance=request.url.path, errors=fields)

    @app.exception_handler(InvalidRecord)
    async def _invalid(request: Request, exc: InvalidRecord) -> JSONResponse:
        fields = [{"field": e.field, "reason": e.reason} for e in exc.errors]
        return problem_response(422, "validation-error", str(exc), instance=request.url.path, errors=fields)

    @app.exception_handler(UnknownProfile)
    async def _unknown_profile(request: Request, exc: UnknownProfile) -> Response:
        return _page_or_problem(request, 404, "not-found", str(exc))

    @app.exception_handler(UnknownConcept)
    async def _unknown_concept(request: Request, exc: UnknownConcept) -> JSONResponse:
        return problem_response(404, "unknown-concept", str(exc), instance=request.url.path)

    @app.exception_handler(TaxonomyNotLoaded)
    @app.exception_handler(ConceptSpaceNotBuilt)
    async def _not_ready(request: Request, exc: Exception) -> Response:
        return _page_or_problem(request, 503, "not-ready", str(exc))

    @app.exception_handler(IndexUnavailable)
    async def _unavailable(request: Request, exc: IndexUnavailable) -> JSONResponse:
        return problem_response(
            503, "index-unavailable", str(exc), instance=request.url.path, headers={"Retry-After": "5"}
        )

    @app.exception_handler(Conflict)
    async def _conflict(request: Request, exc: Conflict) -> JSONResponse:
        return problem_response(409, "conflict", str(exc), instance=request.url.path)

    @app.exception_handler(IndexNotBuilt)
    async def _no_index(request: Request, exc: IndexNotBuilt) -> JSONResponse:
        return problem_response(409, "nothing-indexed", str(exc), instance=request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = allowed_methods(app, request.scope)
        return _page_or_problem(request, exc.status_code, _codes(exc.status_code), detail, headers)

    @app.exception_handler(NotAuthenticated)
    async def _unauthenticated(request: Request, exc: NotAuthenticated) -> Response:
        metrics = getattr(request.app.state, "metrics", None)
        if metrics is not None:
            metrics.sign_in_failures.inc()
        return _page_or_problem(
            request,
            401,
            "unauthorized",
            str(exc),
            headers={"WWW-Authenticate": "Bearer"},
            dossier_gone=exc.dossier_gone,
        )

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        return _page_or_problem(request, 403, "forbidden", str(exc))

    @app.exception_handler(TooManyAttempts)
    async def _too_many(request: Request, exc: TooManyAttempts) -> Response:
        headers = {"Retry-After": str(exc.retry_after)}
        return _page_or_problem(request, 429, "too-many-requests", str(exc), headers)

    app.add_middleware(UnexpectedErrors)


class UnexpectedErrors:
    """ASGI middleware: an exception nothing else handled becomes one 500 problem and one log line.

    The log line names the exception's type, the route and the places of the traceback (file, line, function),
    never the request body, the query string or the exception's message.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            route = getattr(scope.get("route"), "path", None) or "(no route)"
            places = "; ".join(
                f"{frame.filename.rsplit('/', 2)[-1]}:{frame.lineno} {frame.name}"
                for frame in traceback.extract_tb(exc.__traceback__)[-6:]
            )
            log.error("unexpected %s on %s %s at %s", type(exc).__name__, scope.get("method"), route, places)
            if started:
                return
            response: Response = problem_response(
                500, "internal-error", "an unexpected error occurred; it has been logged", instance=scope.get("path")
            )
            app = scope.get("app")
            render = getattr(getattr(app, "state", None), "page_error", None)
            if render is not None and is_page(str(scope.get("path", ""))):
                try:
                    response = render(Request(scope), 500, "")
                except Exception:  # noqa: BLE001 - the page itself failed: the problem details stand
                    log.error("the error page could not be rendered")
            await response(scope, receive, send)


_HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}},
    405: {"Allow": {"description": "The methods the path answers.", "schema": {"type": "string"}}},
    429: {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "string"}}},
}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        "description": HTTPStatus(status).phrase,
    }
    | ({"headers": _HEADERS[status]} if status in _HEADERS else {})
    for status in (400, 401, 403, 404, 405, 409, 413, 422, 429, 500, 503)
}
"""OpenAPI documentation of the errors every route may give, as ``application/problem+json``. The schema is a
reference (``problem_schemas`` adds it to the document) rather than a ``model``: FastAPI builds a pydantic field
for each model of each route's each status each time an app is created (11 of every 14 fields, about 0.4 s of
the 0.5 s an app took to build)."""


def problem_schemas() -> dict[str, Any]:
    """The JSON schemas of ``Problem`` and of what it holds, by name, as the OpenAPI document's components."""
    schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}", mode="serialization")
    nested: dict[str, Any] = schema.pop("$defs", {})
    return {**nested, "Problem": schema}


__all__ = [
    "ERROR_RESPONSES",
    "Conflict",
    "PATTERN_REASONS",
    "PROBLEM_JSON",
    "FieldProblem",
    "Problem",
    "allowed_methods",
    "install_error_handlers",
    "is_page",
    "problem_response",
    "problem_schemas",
]
