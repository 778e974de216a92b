"""Every route declares who may call it; a route without a rule fails the authorisation tests.

    @router.get("/{jobseeker_id}", dependencies=[allow(Role.consultant, owner="jobseeker_id")])

``allow`` lets the named roles in, and a jobseeker whose own dossier id is the path parameter ``owner``;
``public()`` marks the few routes that need no sign-in (health, metrics, the sign-in page).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.auth.guard import Authenticator, Forbidden
from api.auth.roles import Principal, Role

COOKIE = "skillmatch_token"
"""The web pages' sign-in cookie (HttpOnly, SameSite=Strict) holds the same bearer token."""

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="A token issued by the service (`skillmatch tokens create`) or a JWT from the identity provider.",
)


@dataclass(frozen=True)
class Rule:
    """Who may call a route.

    Attributes:
        roles: roles that may call it.
        owner: a path parameter naming a dossier; a jobseeker may call the route for their own dossier.
        own_body: a jobseeker may call it for the dossier the request body names (the route checks the id).
        public: no sign-in needed.
    """

    roles: frozenset[Role] = frozenset()
    owner: str | None = None
    own_body: bool = False
    public: bool = False

    def admits(self, role: Role) -> bool:
        """Whether a role may call the route at all (for some dossier, when it is a jobseeker)."""
        return (
            self.public or role in self.roles or (role is Role.jobseeker and (self.owner is not None or self.own_body))
        )


def client_address(request: Request) -> str:
    """The caller's address (for the failed sign-in limit)."""
    return request.client.host if request.client else "unknown"


def current_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    """The signed-in caller, from the bearer token or the web pages' cookie.

    Raises:
        NotAuthenticated: no valid token.
        Forbidden: a cookie-signed request that changes something and comes from another site.
    """
    token = credentials.credentials if credentials is not None else None
    from_cookie = token is None and COOKIE in request.cookies
    if from_cookie:
        token = request.cookies[COOKIE]
    authenticator: Authenticator = request.app.state.authenticator
    principal = authenticator.authenticate(token, client_address(request))
    if from_cookie and request.method not in ("GET", "HEAD", "OPTIONS"):
        origin = request.headers.get("origin")
        if origin is not None and origin.rstrip("/") != f"{request.url.scheme}://{request.url.netloc}":
            raise Forbidden("a signed-in page of another site may not change anything here")
    request.state.principal = principal
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def _names(roles: frozenset[Role]) -> str:
    return " or ".join(sorted(r.value for r in roles)) or "none"


def allow(*roles: Role, owner: str | None = None, own_body: bool = False) -> Any:
    """A route's rule: these roles, and (with ``owner``) a jobseeker for their own dossier.

    Args:
        roles: roles that may call the route.
        owner: the path parameter holding a dossier id that a jobseeker may act on when it is theirs.
        own_body: a jobseeker may call the route; the route checks the body's dossier id.

    Returns:
        A FastAPI dependency that raises ``Forbidden`` for everyone else.
    """
    rule = Rule(frozenset(roles), owner, own_body)

    async def check(request: Request, principal: PrincipalDep) -> Principal:
        if principal.role in rule.roles:
            return principal
        if principal.role is Role.jobseeker:
            if own_body:
                return principal
            if owner is not None:
                if principal.owns(str(request.path_params.get(owner, ""))):
                    return principal
                raise Forbidden("a jobseeker may only see and change their own dossier")
        raise Forbidden(f"this needs the role {_names(rule.roles)}")

    check.rule = rule  # type: ignore[attr-defined]
    return Depends(check)


def public() -> Any:
    """A route's rule: no sign-in needed."""

    async def anyone() -> None:
        return None

    anyone.rule = Rule(public=True)  # type: ignore[attr-defined]
    return Depends(anyone)


def ensure_own(principal: Principal, jobseeker_id: str) -> None:
    """For ``own_body`` routes: a jobseeker may only act on their own dossier.

    Raises:
        Forbidden: a jobseeker naming another dossier.
    """
    if principal.role is Role.jobseeker and not principal.owns(jobseeker_id):
        raise Forbidden("a jobseeker may only see and change their own dossier")


def route_rule(route: Any) -> Rule | None:
    """The rule a route declares (None when it declares none)."""
    dependant = getattr(route, "dependant", None)
    stack = list(dependant.dependencies) if dependant is not None else []
    while stack:
        dep = stack.pop()
        rule = getattr(dep.call, "rule", None)
        if isinstance(rule, Rule):
            return rule
        stack.extend(dep.dependencies)
    return None


__all__ = [
    "COOKIE",
    "PrincipalDep",
    "Rule",
    "allow",
    "client_address",
    "current_principal",
    "ensure_own",
    "public",
    "route_rule",
]
