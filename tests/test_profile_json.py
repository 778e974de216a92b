"""A profile's stored JSON form: what is written is read back the same, defaults fill what older rows lack, and
a role or origin that does not exist is refused (never read as another)."""

from __future__ import annotations

import pytest

from matching.profiles import ProfileKind
from matching.profiles.profile import Origin, Profile, ProfileConcept, Role
from tests.esco_uris import BAKER, KNEAD_FOOD


def test_every_role_and_origin_is_read_back_as_written() -> None:
    concepts = [
        ProfileConcept(KNEAD_FOOD, role, origin, 0.5, "pétrir", "summary", (3, 9) if origin.stated else None)
        for role in Role
        for origin in Origin
    ]
    profile = Profile(ProfileKind.jobseeker, "J1", "fr", skills=concepts, occupations=[ProfileConcept(BAKER)])
    again = Profile.from_json(profile.to_json())
    assert again == profile
    assert [(c.role, c.origin) for c in again.skills] == [(c.role, c.origin) for c in concepts]
    assert all(type(c.role) is Role and type(c.origin) is Origin for c in again.skills)


def test_a_concept_without_role_or_origin_is_held_and_confirmed() -> None:
    concept = ProfileConcept.from_json({"uri": KNEAD_FOOD})
    assert (concept.role, concept.origin, concept.confidence, concept.span) == (Role.held, Origin.confirmed, 1.0, None)


@pytest.mark.parametrize("data", [{"role": "owner"}, {"origin": "guessed"}, {"role": ["held"]}, {"origin": None}])
def test_a_role_or_origin_that_does_not_exist_is_refused(data: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        ProfileConcept.from_json({"uri": KNEAD_FOOD, **data})
