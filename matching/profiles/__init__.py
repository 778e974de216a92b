"""Profiles: a jobseeker's or a vacancy's weighted ESCO concepts plus the attributes that filters use, and
their storage in the database.
"""

from matching.profiles.listen import ChangeListener
from matching.profiles.profile import Origin, Profile, ProfileConcept, ProfileKind, Role
from matching.profiles.store import CHANNEL, ProfileRow, ProfileStore, StoredChange, create_tables

__all__ = [
    "CHANNEL",
    "ChangeListener",
    "Origin",
    "Profile",
    "ProfileConcept",
    "ProfileKind",
    "ProfileRow",
    "ProfileStore",
    "Role",
    "StoredChange",
    "create_tables",
]
