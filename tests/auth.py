"""Users and tokens for API tests: one per role, plus a second jobseeker (to try another's dossier).

A jobseeker user exists only for a stored dossier, so the jobseekers' tokens are issued when a test first asks
for them (by then the test has stored the dossier; a test that asks before gets a clear error).
"""

from __future__ import annotations

from functools import cached_property

from sqlalchemy.engine import Engine

from api.auth import Role, TokenStore

OWN_DOSSIER = "J-BAKER-FR"
"""The dossier the test jobseeker owns (the factories' default jobseeker)."""
OTHER_DOSSIER = "J-BAKER-NL"


class Tokens:
    """A bearer token per role (the jobseeker owns ``OWN_DOSSIER``, the other jobseeker ``OTHER_DOSSIER``)."""

    def __init__(self, store: TokenStore) -> None:
        self.store = store
        self.n = store.count_users()  # names unique per database
        self.consultant = self._token("consultant", Role.consultant)
        self.admin = self._token("admin", Role.admin)
        self.expired = self._token("late", Role.consultant, days=1e-9)

    def _token(self, name: str, role: Role, dossier: str | None = None, days: float = 1) -> str:
        user = self.store.add_user(f"{name}-{self.n}", role, dossier)
        return self.store.issue(user.id, days=days).token

    @cached_property
    def jobseeker(self) -> str:
        """The token of the jobseeker who owns ``OWN_DOSSIER`` (stored by now)."""
        return self._token("jobseeker", Role.jobseeker, OWN_DOSSIER)

    @cached_property
    def other_jobseeker(self) -> str:
        """The token of the jobseeker who owns ``OTHER_DOSSIER`` (stored by now)."""
        return self._token("other", Role.jobseeker, OTHER_DOSSIER)

    def of(self, role: Role) -> str:
        """The token of a role."""
        return (
            self.jobseeker
            if role is Role.jobseeker
            else {Role.consultant: self.consultant, Role.admin: self.admin}[role]
        )


def bearer(token: str) -> dict[str, str]:
    """The Authorization header of a token."""
    return {"Authorization": f"Bearer {token}"}


def make_tokens(db: Engine) -> Tokens:
    """Create the staff users and issue their tokens (the jobseekers' when first asked for)."""
    return Tokens(TokenStore(db))


__all__ = ["OTHER_DOSSIER", "OWN_DOSSIER", "Tokens", "bearer", "make_tokens"]
