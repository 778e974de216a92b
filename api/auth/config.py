"""Plain settings of authentication, handed in by the wiring (the API never reads the environment)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class JwtConfig:
    """Accept JWTs signed by an identity provider.

    Attributes:
        jwks: a JWKS document's path or ``https://`` URL (the provider's public keys).
        issuer: the required ``iss`` claim.
        audience: the required ``aud`` claim (None: not checked).
        algorithms: accepted signature algorithms.
        role_claim: the claim that holds the role (a dotted path such as ``realm_access.roles``; a list value
            gives the first role it names).
        dossier_claim: the claim that holds a jobseeker's dossier id.
        role_map: claim values -> role names, for providers whose role names differ (``{"staff": "consultant"}``).
        leeway_seconds: clock skew allowed on ``exp`` and ``nbf``.
    """

    jwks: str
    issuer: str
    audience: str | None = None
    algorithms: tuple[str, ...] = ("RS256",)
    role_claim: str = "role"
    dossier_claim: str = "jobseeker_id"
    role_map: dict[str, str] = field(default_factory=dict)
    leeway_seconds: int = 30


@dataclass(frozen=True)
class AuthConfig:
    """How callers sign in.

    Attributes:
        jwt: accept JWTs too (None: only the service's own tokens).
        failures_per_minute: failed sign-ins one client address may make per minute before further failures
            answer 429 (valid tokens are never refused for it); 0: no limit.
        secure_cookie: mark the web pages' sign-in cookie ``Secure`` (behind HTTPS).
        requests_per_second: requests one token may make per second, on average, before further requests answer
            429 (a token bucket; the load benchmarks' rates stay below it); 0: no limit.
        burst: requests one token may make at once above that rate (the bucket's size).
    """

    jwt: JwtConfig | None = None
    failures_per_minute: int = 60
    secure_cookie: bool = False
    requests_per_second: float = 100.0
    burst: int = 200


__all__ = ["AuthConfig", "JwtConfig"]
