"""Who is calling: the three roles of the service and the signed-in principal."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """What a signed-in person may do.

    consultant: staff of the employer service; searches candidates, reads dossiers, manages vacancies.
    jobseeker: sees and edits only their own dossier, sees their suggestions.
    admin: users and tokens, the audit log, the quarantine, deleting any record.
    """

    consultant = "consultant"
    jobseeker = "jobseeker"
    admin = "admin"


@dataclass(frozen=True)
class Principal:
    """A signed-in caller.

    Attributes:
        subject: a stable id of the caller (``user:<id>`` for service tokens, the JWT's ``sub`` otherwise).
        name: a display name (the user name, or the subject).
        role: the caller's role.
        jobseeker_id: the dossier a jobseeker owns (None for staff).
        via: ``token`` (issued by the service) or ``jwt`` (signed by the configured identity provider).
    """

    subject: str
    name: str
    role: Role
    jobseeker_id: str | None = None
    via: str = "token"

    def owns(self, jobseeker_id: str) -> bool:
        """Whether this caller is the jobseeker with this dossier id."""
        return self.role is Role.jobseeker and self.jobseeker_id == jobseeker_id


__all__ = ["Principal", "Role"]
