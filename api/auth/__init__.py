"""Authentication and roles: the service's own tokens, JWTs from an identity provider, and per-route rules."""

from api.auth.config import AuthConfig, JwtConfig
from api.auth.guard import Authenticator, Forbidden, NotAuthenticated, TooManyAttempts
from api.auth.policy import POLICY, OnBehalf, Rule, rule_for
from api.auth.roles import Principal, Role
from api.auth.rules import COOKIE, AuditEntryDep, PrincipalDep, authorize, ensure_own, route_rule
from api.auth.tokens import IssuedToken, TokenInfo, TokenRejected, TokenStore, User, UserError

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
