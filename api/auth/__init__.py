"""Authentication and roles: the service's own tokens, JWTs from an identity provider, and per-route rules.

The names that need the web framework (the guard and the routes' rules) are imported when first asked for, so that
what reads the tables and tokens alone (the command line, the nightly rematch, through ``skillmatch.schema``) does
not load FastAPI: about 0.3 s of every command's start (measured ad hoc).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from api.auth.config import AuthConfig, JwtConfig
from api.auth.policy import POLICY, OnBehalf, Rule, rule_for
from api.auth.roles import Principal, Role
from api.auth.tokens import IssuedToken, TokenInfo, TokenRejected, TokenStore, User, UserError

if TYPE_CHECKING:
    from api.auth.guard import Authenticator, Forbidden, NotAuthenticated, TooManyAttempts
    from api.auth.rules import COOKIE, AuditEntryDep, PrincipalDep, authorize, ensure_own, route_rule

_LATER = {
    **dict.fromkeys(("Authenticator", "Forbidden", "NotAuthenticated", "TooManyAttempts"), "api.auth.guard"),
    **dict.fromkeys(
        ("COOKIE", "AuditEntryDep", "PrincipalDep", "authorize", "ensure_own", "route_rule"), "api.auth.rules"
    ),
}
"""The names imported when first asked for, and their module."""


def __getattr__(name: str) -> Any:
    module = _LATER.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "COOKIE",
    "POLICY",
    "AuditEntryDep",
    "OnBehalf",
    "AuthConfig",
    "Authenticator",
    "Forbidden",
    "IssuedToken",
    "JwtConfig",
    "NotAuthenticated",
    "Principal",
    "PrincipalDep",
    "Role",
    "Rule",
    "TokenInfo",
    "TokenRejected",
    "TokenStore",
    "TooManyAttempts",
    "User",
    "UserError",
    "authorize",
    "ensure_own",
    "route_rule",
    "rule_for",
]
