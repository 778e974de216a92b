"""Request bodies are checked against the JSON Schema the OpenAPI document publishes, before the models read
them: ``"active": 0`` is not a boolean and ``"years": "5"`` is not a number, whatever a lenient model would
make of them. The models then apply the rules a schema cannot say (known ESCO URIs). A body that cannot be read
as JSON at all, whatever its content type says (nested too deep included), is a 400 ``invalid-json``."""

from __future__ import annotations

from functools import cache
from typing import Any

import jsonschema_rs
from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from api.json_guard import InvalidBody, parse_body


@cache
def _validator(model: type[BaseModel]) -> Any:
    schema = model.model_json_schema(ref_template="#/$defs/{model}")
    return jsonschema_rs.Draft202012Validator(schema)


def _field(path: list[str | int]) -> tuple[str | int, ...]:
    return tuple(path)


def strict_body(model: type[BaseModel]) -> Any:
    """A dependency that checks the raw JSON body against the model's published JSON Schema.

    A body the model refuses is left to the model (its messages are the ones people read); a body the model
    would accept only by coercing it is refused here.

    Args:
        model: the body's model (the route still declares it, so that the OpenAPI document shows it).

    Returns:
        A FastAPI dependency raising ``RequestValidationError`` (422, with field/reason pairs).
    """

    async def check(request: Request) -> None:
        raw = await request.body()
        try:
            body = parse_body(raw)
        except InvalidBody as exc:
            why = str(exc).removeprefix("the body is not valid JSON: ")
            error = {"loc": ("body",), "msg": str(exc), "type": "json_invalid", "ctx": {"error": why}}
            raise RequestValidationError([error]) from exc
        try:
            model.model_validate(body)
        except ValidationError:
            return  # the model's own messages say it better; FastAPI reports them
        errors = [
            {"loc": ("body", *_field(list(e.instance_path))), "msg": e.message, "type": "schema"}
            for e in _validator(model).iter_errors(body)
        ]
        if errors:
            raise RequestValidationError(errors)

    return Depends(check)


__all__ = ["strict_body"]
