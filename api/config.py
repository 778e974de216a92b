"""Plain settings of the web service, handed to ``create_app`` by the wiring."""

from __future__ import annotations

from dataclasses import dataclass, field

from api.auth.config import AuthConfig


@dataclass(frozen=True)
class ApiConfig:
    """How the web service behaves.

    Attributes:
        auth: sign-in (JWT issuer, failed sign-in limit, cookie).
        max_body_bytes: request bodies above this size answer 413.
        token_days: how long a token issued from the admin page is valid.
    """

    auth: AuthConfig = field(default_factory=AuthConfig)
    max_body_bytes: int = 1_000_000
    token_days: float = 90


__all__ = ["ApiConfig"]
