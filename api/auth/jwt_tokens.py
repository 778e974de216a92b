"""JWTs from the public employment service's identity provider: signature, issuer, audience, expiry, claims.

The provider's public keys come from a JWKS file or URL (fetched and cached by PyJWT's client). The role and
the dossier id are read from configurable claims.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jwt

from api.auth.config import JwtConfig
from api.auth.roles import Principal, Role
from api.auth.tokens import TokenRejected


def looks_like_jwt(token: str) -> bool:
    """Whether a bearer token has the three dot-separated parts of a JWS."""
    return token.count(".") == 2


def _claim(claims: dict[str, Any], path: str) -> Any:
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


class JwtVerifier:
    """Verifies JWTs against one issuer's keys."""

    def __init__(self, config: JwtConfig) -> None:
        """Args:
        config: issuer, keys and claims (keys are read lazily, at the first token).
        """
        self.config = config
        self._client: jwt.PyJWKClient | None = None
        self._keys: jwt.PyJWKSet | None = None

    def _key(self, token: str) -> Any:
        source = self.config.jwks
        if source.startswith(("https://", "http://")):
            if self._client is None:
                self._client = jwt.PyJWKClient(source, cache_keys=True, lifespan=3600)
            return self._client.get_signing_key_from_jwt(token).key
        if self._keys is None:
            self._keys = jwt.PyJWKSet.from_dict(json.loads(Path(source).read_text(encoding="utf-8")))
        kid = jwt.get_unverified_header(token).get("kid")
        keys = [k for k in self._keys.keys if kid is None or k.key_id == kid]
        if not keys:
            raise TokenRejected("the token is signed with an unknown key")
        return keys[0].key

    def _role(self, claims: dict[str, Any]) -> Role:
        value = _claim(claims, self.config.role_claim)
        values = value if isinstance(value, list) else [value]
        for item in values:
            name = self.config.role_map.get(str(item), str(item))
            if name in Role.__members__:
                return Role(name)
        raise TokenRejected(f"the token's {self.config.role_claim!r} claim names no role of this service")

    def verify(self, token: str) -> Principal:
        """The principal a JWT stands for.

        Raises:
            TokenRejected: bad signature or claims, expired, or no usable role.
        """
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._key(token),
                algorithms=list(self.config.algorithms),
                issuer=self.config.issuer,
                audience=self.config.audience,
                leeway=self.config.leeway_seconds,
                options={"require": ["exp", "iss", "sub"], "verify_aud": self.config.audience is not None},
            )
        except jwt.ExpiredSignatureError as exc:
            raise TokenRejected("the token has expired") from exc
        except (jwt.PyJWTError, ValueError, OSError) as exc:
            raise TokenRejected(f"the token is not valid ({type(exc).__name__})") from exc
        role = self._role(claims)
        dossier = _claim(claims, self.config.dossier_claim)
        if role is Role.jobseeker and not isinstance(dossier, str):
            raise TokenRejected(f"a jobseeker's token needs the {self.config.dossier_claim!r} claim")
        subject = str(claims["sub"])
        name = str(claims.get("name") or claims.get("preferred_username") or subject)
        return Principal(f"jwt:{subject}", name, role, dossier if role is Role.jobseeker else None, "jwt")


__all__ = ["JwtVerifier", "looks_like_jwt"]
