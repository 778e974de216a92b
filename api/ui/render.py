"""Rendering a page: Jinja2 templates with the reader's words, the signed-in user and the language switch."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import HTMLResponse

from api.ui.formats import Formats
from api.ui.i18n import LANG_COOKIE, LANGUAGES, reader_language, translator
from esco_data import LocalizedText, UnknownConcept

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")


def switch_url(request: Request, lang: str) -> str:
    """The current page in another language (other query parameters kept)."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"] + [("lang", lang)]
    return f"{request.url.path}?{urlencode(query)}"


def _concepts(request: Request, lang: str) -> Any:
    """``concept(uri)`` for the templates: the label in the reader's language (with the language it is in)."""
    services = getattr(request.app.state, "services", None)

    def concept(uri: str) -> LocalizedText | None:
        if services is None:
            return None
        try:
            found: LocalizedText = services.taxonomy.label(uri, lang)
            return found
        except UnknownConcept:
            return None

    return concept


def _field_names(words: dict[str, str]) -> Any:
    """``field_name(path)`` for the templates: a form or record field as the reader calls it."""

    def field_name(path: str) -> str:
        head = path.split(".")[0].split("[")[0]
        return words.get(f"field_{head}") or words["field_other"]

    return field_name


def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A rendered page (the language cookie is set when ``?lang=`` chose the language).

    Args:
        request: the request.
        name: the template.
        status: the HTTP status.
        context: the template's values.
    """
    lang = reader_language(request)
    words = translator(lang)
    values = {
        "lang": lang,
        "t": words,
        "f": Formats(lang),
        "concept": _concepts(request, lang),
        "field_name": _field_names(words),
        "languages": {code: switch_url(request, code) for code in LANGUAGES},
        "principal": getattr(request.state, "principal", None),
        "path": request.url.path,
        **context,
    }
    response = templates.TemplateResponse(request, name, values, status_code=status)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax")
    response.headers["Cache-Control"] = "no-store"
    return response


__all__ = ["page", "switch_url", "templates"]
