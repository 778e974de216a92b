"""Vacancies past their closing date leave matching: they are deactivated like any other change."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from matching.profiles import ProfileKind, ProfileRow
from matching.ranking import ProfileWriter

CLOSED_BY = "closed_by"
"""Profile attribute saying why matching closed a vacancy."""


def close_expired(writer: ProfileWriter, today: date) -> list[str]:
    """Deactivate every open vacancy whose closing date (``valid_until``) is before today.

    Args:
        writer: the profile writer (store and index change together; the service takes the change in).
        today: the date the run counts from.

    Returns:
        The ids of the vacancies closed.
    """
    table = ProfileRow.__table__  # type: ignore[attr-defined]
    valid_until = table.c.data["attributes"]["valid_until"].as_string()
    query = select(table.c.id).where(
        table.c.kind == ProfileKind.vacancy.value,
        table.c.active.is_(True),
        ~table.c.deleted,
        valid_until.is_not(None),
        valid_until < today.isoformat(),
    )
    with writer.store.engine.connect() as conn:
        ids = sorted(str(r[0]) for r in conn.execute(query))
    profiles = []
    for pid in ids:
        profile = writer.store.get(ProfileKind.vacancy, pid)
        profile.active = False
        profile.attributes[CLOSED_BY] = "valid_until"
        profiles.append(profile)
    if profiles:
        writer.write(profiles)
    return ids


__all__ = ["CLOSED_BY", "close_expired"]
