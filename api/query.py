"""Query strings as the schema says: a parameter that takes one value refuses several (``?k=5&k=6``), and a
date-time is an ISO 8601 text (``2026-05-01T08:00:00Z``), never a bare number."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, get_args, get_origin

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BeforeValidator

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$", re.ASCII)


def _iso_text(value: Any) -> Any:
    if isinstance(value, str) and not _ISO.match(value):
        raise ValueError("expected an ISO 8601 date-time such as 2026-05-01T08:00:00Z")
    return value


IsoDatetime = Annotated[datetime, BeforeValidator(_iso_text)]


def _takes_many(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin in (list, tuple, set, frozenset):
        return True
    return any(_takes_many(arg) for arg in get_args(annotation))


def _query_fields(dependant: Any) -> dict[str, bool]:
    fields: dict[str, bool] = {}
    stack = [dependant]
    while stack:
        dep = stack.pop()
        for field in dep.query_params:
            fields[field.alias] = _takes_many(field.field_info.annotation)
        stack.extend(dep.dependencies)
    return fields


async def single_query_values(request: Request) -> None:
    """Refuse several values for a query parameter that takes one (422, naming the parameter).

    Raises:
        RequestValidationError: a repeated single-valued parameter.
    """
    items = request.query_params.multi_items()
    keys = [k for k, _ in items]
    repeated = {k for k in keys if keys.count(k) > 1}
    if not repeated:
        return
    dependant = getattr(request.scope.get("route"), "dependant", None)
    if dependant is None:
        return
    fields = _query_fields(dependant)
    errors = [
        {"loc": ("query", key), "msg": "give this parameter once", "type": "value_error"}
        for key in sorted(repeated)
        if key in fields and not fields[key]
    ]
    if errors:
        raise RequestValidationError(errors)


__all__ = ["IsoDatetime", "single_query_values"]
