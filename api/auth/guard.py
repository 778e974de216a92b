"""Sign-in: a bearer token (the service's own, or a JWT from the identity provider) -> a principal.

Failed sign-ins are counted per client address in the database (``sign_in_failure``), so the limit holds for
the service whichever process or host an attempt reaches: past the configured number per minute, further
failures answer 429 (a valid token is never refused for it, so a caller cannot lock others out). Each valid
token has its own request budget (a token bucket) in the memory of the process that answers: one client that
loops, or a leaked token, slows only itself. With N processes a token may make up to N times the configured
rate in all; that is safe (the budget protects the other callers of each process from one caller, and each
process still protects its own), and a database round trip for every request would cost more than it saves.
"""

from __future__ import annotations

import hashlib
import threading
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, insert, select

from api.auth.config import AuthConfig
from api.auth.jwt_tokens import JwtVerifier, looks_like_jwt
from api.auth.models import SignInFailureRow
from api.auth.roles import Principal
from api.auth.tokens import DossierGone, TokenRejected, TokenStore


class NotAuthenticated(Exception):
    """No token, or a token that is not valid (401); the message says why, never the token.

    Attributes:
        dossier_gone: the token is a jobseeker's whose dossier was erased (the pages say so in their language).
    """

    def __init__(self, message: str, *, dossier_gone: bool = False) -> None:
        super().__init__(message)
        self.dossier_gone = dossier_gone


class Forbidden(Exception):
    """A signed-in caller whose role does not allow this (403)."""


class TooManyAttempts(Exception):
    """Too many failed sign-ins from one address (429)."""

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        super().__init__(message or f"too many failed sign-ins; try again in {retry_after} s")
        self.retry_after = retry_after


class RateLimited(TooManyAttempts):
    """A valid token past its request budget (429)."""

    def __init__(self, retry_after: int, rate: float) -> None:
        super().__init__(
            retry_after,
            f"too many requests with this token (at most {rate:g} per second); try again in {retry_after} s",
        )


class TokenBuckets:
    """Per-token request budgets: ``burst`` at once, refilled at ``rate`` per second.

    Tokens are kept as a short digest, never as themselves; full buckets are forgotten when the table grows.
    """

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self._buckets: dict[bytes, tuple[float, float]] = {}  # digest -> (tokens left, when)
        self._lock = threading.Lock()

    def take(self, token: str) -> None:
        """Spend one request of a token's budget.

        Raises:
            RateLimited: the budget is spent; the error says when one request is available again.
        """
        if self.rate <= 0:
            return
        key = hashlib.blake2b(token.encode(), digest_size=16).digest()
        now = time.monotonic()
        with self._lock:
            left, when = self._buckets.get(key, (float(self.burst), now))
            left = min(float(self.burst), left + (now - when) * self.rate)
            if left < 1.0:
                self._buckets[key] = (left, now)
                raise RateLimited(max(1, int((1.0 - left) / self.rate + 0.999)), self.rate)
            self._buckets[key] = (left - 1.0, now)
            if len(self._buckets) > 10_000:
                for old in [k for k, (n, t) in self._buckets.items() if n + (now - t) * self.rate >= self.burst]:
                    del self._buckets[old]


class Authenticator:
    """Turns bearer tokens into principals."""

    def __init__(self, tokens: TokenStore, config: AuthConfig) -> None:
        """Args:
        tokens: the service's own users and tokens.
        config: JWT issuer (optional) and the failed sign-in limit.
        """
        self.tokens = tokens
        self.config = config
        self.jwt = JwtVerifier(config.jwt) if config.jwt is not None else None
        self.budgets = TokenBuckets(config.requests_per_second, config.burst)

    def authenticate(self, token: str | None, client: str) -> Principal:
        """The principal of a bearer token.

        Args:
            token: the presented token (None: none was sent).
            client: the caller's address, for the failed sign-in limit.

        Raises:
            NotAuthenticated: no token or an invalid one.
            TooManyAttempts: an invalid token from an address over its limit.
            RateLimited: a valid token past its request budget.
        """
        if not token:
            raise NotAuthenticated("sign in: send 'Authorization: Bearer <token>'")
        try:
            if looks_like_jwt(token):
                if self.jwt is None:
                    raise TokenRejected("this service accepts no JWTs (no issuer is configured)")
                principal = self.jwt.verify(token)
                if principal.jobseeker_id is not None and not self.tokens.dossier_exists(principal.jobseeker_id):
                    raise DossierGone()
            else:
                principal = self.tokens.verify(token)
        except TokenRejected as exc:
            if not isinstance(exc, DossierGone):
                self._failed(client)
            raise NotAuthenticated(str(exc), dossier_gone=isinstance(exc, DossierGone)) from exc
        self.budgets.take(token)
        return principal

    def _failed(self, client: str) -> None:
        """Count a failed sign-in from an address (in the database, for every process of the service).

        Raises:
            TooManyAttempts: the address is past its limit in the last minute.
        """
        limit = self.config.failures_per_minute
        if limit <= 0:
            return
        table = SignInFailureRow.__table__  # type: ignore[attr-defined]
        key = hashlib.blake2b(client.encode(), digest_size=16).hexdigest()
        now = datetime.now(UTC)
        window = now - timedelta(seconds=60)
        with self.tokens.engine.begin() as conn:
            recent = conn.execute(
                select(func.count(), func.min(table.c.at)).where(table.c.client == key, table.c.at > window)
            ).one()
            count, oldest = int(recent[0]), recent[1]
            if count >= limit:
                # Past the limit nothing more is written: an address that keeps trying costs one read each time.
                wait = 60 - (now - oldest).total_seconds() if oldest is not None else 60
                raise TooManyAttempts(max(1, int(wait) + 1))
            conn.execute(insert(table).values(client=key, at=now))
            conn.execute(delete(table).where(table.c.at < window))


__all__ = ["Authenticator", "Forbidden", "NotAuthenticated", "RateLimited", "TokenBuckets", "TooManyAttempts"]
