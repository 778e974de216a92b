"""Plain settings of the web service, handed to ``create_app`` by the wiring."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from api.auth.config import AuthConfig


@dataclass(frozen=True)
class ApiConfig:
    """How the web service behaves.

    Attributes:
        auth: sign-in (JWT issuer, failed sign-in limit, cookie).
        max_body_bytes: request bodies above this size answer 413.
        token_days: how long a token issued from the admin page is valid.
        ready_lag_seconds: an index behind the database by writes committed at most this long ago still answers
            ready (with its lag): with several processes each one is behind for a moment after every write of
            another. 0: any lag is not ready.
        typeahead_store: where the typeahead's index of ESCO labels is kept between starts (None: built at
            each start, a few seconds of CPU beside the first requests).
    """

    auth: AuthConfig = field(default_factory=AuthConfig)
    max_body_bytes: int = 1_000_000
    token_days: float = 90
    ready_lag_seconds: float = 0.0
    typeahead_store: Path | None = None


__all__ = ["ApiConfig"]
