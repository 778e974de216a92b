"""Enforcing the route table of ``api.auth.policy`` on every request (one dependency of the whole app).

``authorize`` finds the rule of the route a request reached, signs the caller in (bearer token or the pages'
cookie), lets in the roles the rule names, a jobseeker on their own dossier, and a consultant acting for a
jobseeker at their request on a rights route; everyone else gets 403. When the rule names an audit action it
prepares the request's audit row, which ``api.audit_trail`` writes once the route has succeeded.

A request signed by the pages' cookie that changes something must come from this site (``Origin``, else
``Referer``; ``Sec-Fetch-Site`` when the browser sends it): a page of another site cannot post a form here.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.audit import AuditEntry
from api.audit_actions import AuditAction
from api.auth.guard import Authenticator, Forbidden
from api.auth.policy import ON_BEHALF, OWN_REQUEST, OnBehalf, Rule, rule_for
from api.auth.roles import Principal, Role

COOKIE = "skillmatch_token"
"""The web pages' sign-in cookie (HttpOnly, SameSite=Strict) holds the same bearer token."""
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_TARGETS = ("jobseeker_id", "vacancy_id", "user_id", "token_id", "contest_id")
"""Path parameters naming the record an audited action is about, first found first."""

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="A token issued by the service (`skillmatch tokens create`) or a JWT from the identity provider.",
)


def client_address(request: Request) -> str:
    """The caller's address (for the failed sign-in limit)."""
    return request.client.host if request.client else "unknown"


def same_origin(request: Request) -> bool:
    """Whether a browser's request comes from a page of this site (``Sec-Fetch-Site``, ``Origin``, else
    ``Referer``); a request that says neither is not taken to be."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        referer = request.headers.get("referer")
        if not referer:
            return False
        parts = urlsplit(referer)
        origin = f"{parts.scheme}://{parts.netloc}"
    return origin.rstrip("/") == f"{request.url.scheme}://{request.url.netloc}"


def current_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    """The signed-in caller, from the bearer token or the web pages' cookie (once per request).

    Raises:
        NotAuthenticated: no valid token.
        Forbidden: a cookie-signed request that changes something and does not come from this site.
    """
    known: Principal | None = getattr(request.state, "principal", None)
    if known is not None:
        return known
    token = credentials.credentials if credentials is not None else None
    from_cookie = token is None and COOKIE in request.cookies
    if from_cookie:
        token = request.cookies[COOKIE]
    authenticator: Authenticator = request.app.state.authenticator
    principal = authenticator.authenticate(token, client_address(request))
    if from_cookie and request.method not in SAFE_METHODS and not same_origin(request):
        raise Forbidden("a signed-in page may change something here only from this site")
    request.state.principal = principal
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def _names(roles: frozenset[Role]) -> str:
    return " or ".join(sorted(r.value for r in roles)) or "none"


def _admit(rule: Rule, principal: Principal, request: Request) -> str:
    """Why the caller may call the route (the audit row's ``why``).

    Raises:
        Forbidden: they may not.
    """
    if principal.role in rule.roles:
        return OWN_REQUEST if principal.role is Role.jobseeker else rule.why
    if principal.role is Role.jobseeker:
        if rule.own_body:
            return OWN_REQUEST
        if rule.owner is not None:
            if principal.owns(str(request.path_params.get(rule.owner, ""))):
                return OWN_REQUEST
            raise Forbidden("a jobseeker may only see and change their own dossier")
    if principal.role is Role.consultant and rule.desk:
        asked = request.query_params.get(ON_BEHALF)
        if asked not in OnBehalf.__members__:
            raise Forbidden(
                "a jobseeker's rights are theirs: a consultant acts on them only at the jobseeker's request, "
                f"saying how they asked ({ON_BEHALF}={'|'.join(OnBehalf)}); the jobseeker is shown it"
            )
        return f"on_behalf_{asked}"
    raise Forbidden(f"this needs the role {_names(rule.roles)}" + (" or the dossier's owner" if rule.owner else ""))


def _target(request: Request, principal: Principal) -> str | None:
    for name in _TARGETS:
        if name in request.path_params:
            return str(request.path_params[name])
    return principal.jobseeker_id


def authorize(request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> None:
    """The app's one authorisation dependency: the rule of the route, its caller, its audit row.

    Raises:
        NotAuthenticated: the route needs a sign-in and there is none (401).
        Forbidden: the caller may not call it (403).
    """
    route = request.scope.get("route")
    rule = rule_for(request.method, getattr(route, "path", ""))
    if rule is None:  # never: the app refuses to start with a route without a rule
        raise Forbidden("this route has no authorisation rule")
    if rule.public:
        return
    principal = current_principal(request, credentials)
    why = _admit(rule, principal, request)
    if rule.audit is not None:
        entry = AuditEntry(principal, rule.audit, _target(request, principal), why)
        if principal.role is Role.consultant and rule.desk:
            entry.params[ON_BEHALF] = request.query_params[ON_BEHALF]
        request.state.audit_entry = entry


def audit_entry(request: Request) -> AuditEntry:
    """The audit row of this request, for the route to add its results (a route without an audit action in
    the table gets a row that is never written)."""
    entry: AuditEntry | None = getattr(request.state, "audit_entry", None)
    if entry is None:
        principal: Principal | None = getattr(request.state, "principal", None)
        anyone = principal or Principal("anonymous", "anonymous", Role.jobseeker)
        return AuditEntry(anyone, AuditAction.dossier_view, skipped=True)
    return entry


AuditEntryDep = Annotated[AuditEntry, Depends(audit_entry)]


def ensure_own(principal: Principal, jobseeker_id: str) -> None:
    """For ``own_body`` routes: a jobseeker may only act on their own dossier.

    Raises:
        Forbidden: a jobseeker naming another dossier.
    """
    if principal.role is Role.jobseeker and not principal.owns(jobseeker_id):
        raise Forbidden("a jobseeker may only see and change their own dossier")


def route_rule(route: Any, method: str = "GET") -> Rule | None:
    """The rule of a route of the app (None when the table has none)."""
    return rule_for(method, getattr(route, "path", ""))


__all__ = [
    "COOKIE",
    "AuditEntryDep",
    "PrincipalDep",
    "Rule",
    "audit_entry",
    "authorize",
    "client_address",
    "current_principal",
    "ensure_own",
    "route_rule",
    "same_origin",
]
