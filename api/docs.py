"""The API's description, served by the service itself and readable offline: ``/openapi.json`` and ``/docs``.

Both are public (``api.auth.policy``): the document describes the operations and their rules, holds no personal
data, and every operation it lists still needs a token. Integrators read it before they have one.

``/docs`` is Swagger UI from an installed package (``swagger-ui-bundle-v2``, served under ``/swagger-ui``):
no CDN, so it renders on a network that reaches nothing outside. Its start-up script is a file of ours
(``api/ui/static/swagger-init.js``), so that the pages' Content-Security-Policy (``script-src 'self'``) holds
for it too. ReDoc is not served: it would need a second viewer's assets and says nothing Swagger UI does not.

The document states each operation's rule (who may call it, whether it is audited) and its security: none on
the public operations, the bearer scheme on every other.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse, JSONResponse

from api.auth.policy import rule_for
from api.errors import problem_schemas

router = APIRouter(include_in_schema=False)
SWAGGER = "/swagger-ui"
_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>skillmatch API</title>
  <link rel="stylesheet" href="{swagger}/swagger-ui.css">
</head>
<body>
<main id="swagger-ui"></main>
<script src="{swagger}/swagger-ui-bundle.js"></script>
<script src="/static/swagger-init.js"></script>
</body>
</html>
"""


def _swagger_dir() -> str:
    from swagger_ui_bundle import swagger_ui_path  # the installed Swagger UI (swagger-ui-bundle-v2)

    return str(swagger_ui_path)


def openapi_document(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document, with each operation's rule and security from the route table (built once)."""
    if app.openapi_schema is not None:
        return app.openapi_schema
    document = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(problem_schemas())  # what every error response refers to (api.errors.ERROR_RESPONSES)
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            rule = rule_for(method.upper(), path)
            if rule is None:
                continue
            if rule.public:
                operation["security"] = []
            else:
                operation["security"] = [{"bearer": []}]
            audited = f" Audited as `{rule.audit.value}`." if rule.audit else ""
            operation["description"] = f"{operation.get('description', '')}\n\n**Who:** {rule.who()}.{audited}".strip()
    app.openapi_schema = document
    return document


@router.get("/openapi.json")
def openapi(request: Request) -> JSONResponse:
    """The OpenAPI document."""
    return JSONResponse(openapi_document(request.app))


@router.get("/docs")
def docs() -> HTMLResponse:
    """Swagger UI over the OpenAPI document, from the installed package (no CDN)."""
    return HTMLResponse(_PAGE.format(swagger=SWAGGER))


def install_docs(app: FastAPI) -> None:
    """Add ``/openapi.json``, ``/docs`` and Swagger UI's files to the app."""
    app.include_router(router)
    app.mount(SWAGGER, StaticFiles(directory=_swagger_dir()), name="swagger-ui")
    app.openapi = lambda: openapi_document(app)  # type: ignore[method-assign]


__all__ = ["install_docs", "openapi_document"]
