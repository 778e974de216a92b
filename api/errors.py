"""One stable JSON shape for every API error, and the translation of core exceptions into it.

{"error": {"code": "validation_error", "message": "...", "fields": [{"field": "skills[3].uri", "reason": "..."}]}}
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from esco_data import TaxonomyNotLoaded, UnknownConcept
from ingestion.service import InvalidRecord, field_path
from matching.errors import ConceptSpaceNotBuilt, IndexNotBuilt, UnknownProfile


class FieldProblem(BaseModel):
    """One field of the request and what is wrong with it."""

    field: str
    reason: str


class ErrorBody(BaseModel):
    """An error: a stable code, a message for people, and the fields concerned."""

    code: str
    message: str
    fields: list[FieldProblem] = []


class ErrorResponse(BaseModel):
    """The shape of every error response."""

    error: ErrorBody


def error_response(status: int, code: str, message: str, fields: list[dict[str, str]] | None = None) -> JSONResponse:
    """A JSON error response in the stable shape."""
    body = ErrorResponse(error=ErrorBody(code=code, message=message, fields=[FieldProblem(**f) for f in fields or []]))
    return JSONResponse(status_code=status, content=body.model_dump())


def _request_fields(exc: RequestValidationError) -> list[dict[str, str]]:
    fields = []
    for err in exc.errors():
        loc = list(err.get("loc", ()))
        where = loc[0] if loc and loc[0] in ("body", "query", "path", "header") else None
        rest = loc[1:] if where else loc
        rest = [p for p in rest if not (isinstance(p, str) and p.startswith(("function-", "literal[")))]
        reason = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
        if err.get("type") == "missing":
            reason = "this field is required"
        if err.get("type") == "json_invalid":
            # The location's number is a character position in the body, not a list index.
            position = rest[0] if rest else "?"
            detail = err.get("ctx", {}).get("error", reason)
            rest, reason = [], f"the body is not valid JSON: {detail} (at character {position})"
        name = field_path(rest) if rest else "(body)"
        fields.append({"field": name if where in (None, "body") else f"{where}.{name}", "reason": reason})
    return fields


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn errors into the stable shape."""

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        fields = _request_fields(exc)
        message = "; ".join(f"{f['field']}: {f['reason']}" for f in fields)
        return error_response(422, "validation_error", message, fields)

    @app.exception_handler(InvalidRecord)
    async def _invalid(_: Request, exc: InvalidRecord) -> JSONResponse:
        fields = [{"field": e.field, "reason": e.reason} for e in exc.errors]
        return error_response(422, "validation_error", str(exc), fields)

    @app.exception_handler(UnknownProfile)
    async def _unknown_profile(_: Request, exc: UnknownProfile) -> JSONResponse:
        return error_response(404, "not_found", str(exc))

    @app.exception_handler(UnknownConcept)
    async def _unknown_concept(_: Request, exc: UnknownConcept) -> JSONResponse:
        return error_response(404, "unknown_concept", str(exc))

    @app.exception_handler(TaxonomyNotLoaded)
    @app.exception_handler(ConceptSpaceNotBuilt)
    async def _not_ready(_: Request, exc: Exception) -> JSONResponse:
        return error_response(503, "not_ready", str(exc))

    @app.exception_handler(IndexNotBuilt)
    async def _no_index(_: Request, exc: IndexNotBuilt) -> JSONResponse:
        return error_response(409, "nothing_indexed", str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized", 403: "forbidden"}.get(
            exc.status_code, "http_error"
        )
        detail: Any = exc.detail
        return error_response(exc.status_code, code, str(detail))


__all__ = ["ErrorResponse", "error_response", "install_error_handlers"]
