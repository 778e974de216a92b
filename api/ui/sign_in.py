"""Signing in to the web pages with a token (kept in an HttpOnly, SameSite=Strict cookie), and out again.

The sign-in form is accepted only from a page of this site (``same_origin``): another site cannot sign a visitor
in under its own token (login CSRF). A jobseeker whose dossier was erased is told so in their language."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from api.auth.guard import Authenticator, NotAuthenticated
from api.auth.roles import Role
from api.auth.rules import COOKIE, PrincipalDep, client_address, same_origin
from api.ui.i18n import reader_language, translator
from api.ui.render import page

router = APIRouter(include_in_schema=False)
HOME = {Role.consultant: "/ui/vacancies", Role.jobseeker: "/ui/me", Role.admin: "/ui/admin/users"}


def _safe_next(target: str) -> str | None:
    # Only paths of this site (never another host).
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else None


@router.get("/")
def home(principal: PrincipalDep) -> Response:
    """Each role's start page."""
    return RedirectResponse(HOME[principal.role], status_code=303)


@router.get("/login")
def login_form(request: Request, next: str = "/", done: Annotated[str, Query(max_length=16)] = "") -> Response:
    """The sign-in form (with a word on what just ended: an erased dossier)."""
    words = translator(reader_language(request))
    notice = words["erased_done"] if done == "erased" else None
    return page(request, "login.html", message=None, notice=notice, next=_safe_next(next) or "/")


@router.post("/login")
def login(
    request: Request, token: Annotated[str, Form(max_length=4096)], next: Annotated[str, Form()] = "/"
) -> Response:
    """Check the token and keep it in the sign-in cookie."""
    t = translator(reader_language(request))
    if not same_origin(request):
        return page(request, "login.html", status=403, message=t["cross_site"], next="/")
    authenticator: Authenticator = request.app.state.authenticator
    try:
        principal = authenticator.authenticate(token.strip(), client_address(request))
    except NotAuthenticated as exc:
        message = t["dossier_erased"] if exc.dossier_gone else t["sign_in_needed"]
        return page(request, "login.html", status=401, message=message, next=_safe_next(next) or "/")
    target = _safe_next(next)
    response = RedirectResponse(target if target and target != "/" else HOME[principal.role], status_code=303)
    response.set_cookie(
        COOKIE,
        token.strip(),
        httponly=True,
        samesite="strict",
        secure=request.app.state.config.auth.secure_cookie,
        max_age=12 * 3600,
    )
    return response


@router.post("/logout")
def logout() -> Response:
    """Forget the sign-in cookie."""
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response
