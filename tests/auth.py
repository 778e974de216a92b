"""Users and tokens for API tests: one per role, plus a second jobseeker (to try another's dossier)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from api.auth import Role, TokenStore

OWN_DOSSIER = "J-BAKER-FR"
"""The dossier the test jobseeker owns (the factories' default jobseeker)."""
OTHER_DOSSIER = "J-BAKER-NL"


@dataclass(frozen=True)
class Tokens:
    """A bearer token per role (the jobseeker owns ``OWN_DOSSIER``, the other jobseeker ``OTHER_DOSSIER``)."""

    consultant: str
    jobseeker: str
    admin: str
    other_jobseeker: str
    expired: str

    def of(self, role: Role) -> str:
        """The token of a role."""
        return {Role.consultant: self.consultant, Role.jobseeker: self.jobseeker, Role.admin: self.admin}[role]


def bearer(token: str) -> dict[str, str]:
    """The Authorization header of a token."""
    return {"Authorization": f"Bearer {token}"}


def make_tokens(db: Engine) -> Tokens:
    """Create the users (names unique per database) and issue their tokens."""
    store = TokenStore(db)
    n = store.count_users()

    def token(name: str, role: Role, dossier: str | None = None, days: float = 1) -> str:
        user = store.add_user(f"{name}-{n}", role, dossier)
        return store.issue(user.id, days=days).token

    return Tokens(
        consultant=token("consultant", Role.consultant),
        jobseeker=token("jobseeker", Role.jobseeker, OWN_DOSSIER),
        admin=token("admin", Role.admin),
        other_jobseeker=token("other", Role.jobseeker, OTHER_DOSSIER),
        expired=token("late", Role.consultant, days=1e-9),
    )


__all__ = ["OTHER_DOSSIER", "OWN_DOSSIER", "Tokens", "bearer", "make_tokens"]
