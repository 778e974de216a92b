"""The web pages (server-rendered with Jinja2, French and Dutch, a little htmx served from the repository)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request
from starlette.responses import Response

from api.ui import admin, consultant, corrections, jobseeker, queue, sign_in, vacancy_list
from api.ui.i18n import reader_language, translator
from api.ui.render import HERE, page

HOME = {"consultant": "/ui/vacancies", "jobseeker": "/ui/me", "admin": "/ui/admin/users"}


def _page_error(request: Request, status: int, detail: str, dossier_gone: bool = False) -> Response:
    """The page shown for an error on a web page, in the reader's language (the sign-in form when signing in is
    needed). The error's own ``detail`` is for the API's readers (in English): the page says what happened in
    the reader's words instead (an erased dossier's owner is told so at the sign-in form)."""
    t = translator(reader_language(request))
    if status == 401:
        message = t["dossier_erased"] if dossier_gone else t["sign_in_needed"]
        return page(request, "login.html", status=401, message=message, next=request.url.path)
    principal = getattr(request.state, "principal", None)
    role = principal.role.value if principal is not None else None
    known = status if f"error_{status}" in t else 500
    message = t[f"error_{known}_help"].format(role=t[f"role_{role}"] if role else "")
    home = HOME.get(role or "", "/login")
    return page(request, "error.html", status=status, heading=t[f"error_{known}"], message=message, home=home)


def install_ui(app: FastAPI) -> None:
    """Add the web pages, their static files and the error pages to the app."""
    for module in (sign_in, vacancy_list, consultant, corrections, queue, jobseeker, admin):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.state.page_error = _page_error


__all__ = ["install_ui"]
