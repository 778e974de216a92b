"""Authentication and roles: the service's own tokens, JWTs from an identity provider, and per-route rules."""

from api.auth.config import AuthConfig, JwtConfig
from api.auth.guard import Authenticator, Forbidden, NotAuthenticated, TooManyAttempts
from api.auth.roles import Principal, Role
from api.auth.rules import COOKIE, PrincipalDep, Rule, allow, ensure_own, public, route_rule
from api.auth.tokens import IssuedToken, TokenInfo, TokenRejected, TokenStore, User, UserError

__all__ = [
    "COOKIE",
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
    "allow",
    "ensure_own",
    "public",
    "route_rule",
]
