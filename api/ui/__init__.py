"""The web pages (server-rendered with Jinja2, French and Dutch, a little htmx served from the repository)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request
from starlette.responses import Response

from api.ui import admin, consultant, jobseeker, sign_in
from api.ui.i18n import reader_language, translator
from api.ui.render import HERE, page


def _page_error(request: Request, status: int, detail: str, dossier_gone: bool = False) -> Response:
    """The page shown for an error on a web page (the sign-in form when signing in is needed; the reason in
    the reader's language when a jobseeker's dossier was erased)."""
    t = translator(reader_language(request))
    if status == 401:
        message = t["dossier_erased"] if dossier_gone else t["sign_in_needed"]
        return page(request, "login.html", status=401, message=message, next=request.url.path)
    heading = {403: t["forbidden"], 404: t["not_found"]}.get(status, str(status))
    return page(request, "error.html", status=status, heading=heading, message=detail)


def install_ui(app: FastAPI) -> None:
    """Add the web pages, their static files and the error pages to the app."""
    for module in (sign_in, consultant, jobseeker, admin):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.state.page_error = _page_error


__all__ = ["install_ui"]
