"""Profiles: a jobseeker's or a vacancy's weighted ESCO concepts plus the attributes that filters use.

A profile holds no name, contact, gender, age, nationality, disability, family situation or photo: those
never reach matching.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from esco_data import DEFAULT_LANGUAGE


class ProfileKind(StrEnum):
    """Jobseekers and vacancies live in separate indexes."""

    jobseeker = "jobseeker"
    vacancy = "vacancy"


class Role(StrEnum):
    """What a skill is to its profile."""

    held = "held"
    """A jobseeker has it."""
    required = "required"
    """A vacancy requires it."""
    optional = "optional"
    """A vacancy would like it (nice to have)."""
    wanted = "wanted"
    """A jobseeker wants it (a desired occupation)."""


class Origin(StrEnum):
    """Where a concept of a profile comes from; weights differ."""

    confirmed = "confirmed"
    """Given as an ESCO URI in the dossier or vacancy (structured data)."""
    extracted = "extracted"
    """Linked from free text by the linker."""
    inferred = "inferred"
    """Added from an occupation's essential skills: likely, never stated (explanations show it apart)."""

    @property
    def stated(self) -> bool:
        """Whether the record states the concept (coded, or in its text), as opposed to inferring it."""
        return self is not Origin.inferred


@dataclass(slots=True)
class ProfileConcept:
    """One concept of a profile, with its provenance."""

    uri: str
    role: Role = Role.held
    origin: Origin = Origin.confirmed
    confidence: float = 1.0
    source: str | None = None
    """The text that gave the concept (extracted), or the occupation it is inferred from (inferred)."""
    field: str | None = None
    """The record's field that states it ("skills[2].uri", "experiences[0].description"), or for an inferred
    concept the field of the title it is inferred from."""
    span: tuple[int, int] | None = None
    """Character offsets of the evidence in that field's text (extracted concepts)."""

    def to_json(self) -> dict[str, Any]:
        """Plain JSON form."""
        data: dict[str, Any] = {
            "uri": self.uri,
            "role": self.role.value,
            "origin": self.origin.value,
            "confidence": round(self.confidence, 4),
            "source": self.source,
        }
        if self.field is not None:
            data["field"] = self.field
        if self.span is not None:
            data["span"] = list(self.span)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProfileConcept:
        """Inverse of ``to_json``.

        Raises:
            ValueError: a role or origin that does not exist.
        """
        get = data.get
        try:
            role, origin = _ROLES[get("role", "held")], _ORIGINS[get("origin", "confirmed")]
        except (KeyError, TypeError):  # (what the enums themselves would say)
            role, origin = Role(get("role", "held")), Origin(get("origin", "confirmed"))
        span = get("span")
        return cls(
            uri=data["uri"],
            role=role,
            origin=origin,
            confidence=float(get("confidence", 1.0)),
            source=get("source"),
            field=get("field"),
            span=(int(span[0]), int(span[1])) if span else None,
        )


_ROLES: dict[str, Role] = {r.value: r for r in Role}
_ORIGINS: dict[str, Origin] = {o.value: o for o in Origin}
"""Members by value: a stored profile names one per concept, and a profile is read per search (explanations) and
by the thousand at a rebuild, where the enums' own lookup was a third of the time."""


@dataclass(slots=True)
class Profile:
    """What matching knows of a jobseeker or a vacancy."""

    kind: ProfileKind
    id: str
    lang: str = DEFAULT_LANGUAGE
    active: bool = True
    skills: list[ProfileConcept] = field(default_factory=list)
    occupations: list[ProfileConcept] = field(default_factory=list)
    """ESCO occupations (or ISCO groups) of the titles: past jobs and wishes, or the vacancy's job."""
    languages: dict[str, int] = field(default_factory=dict)
    """CEFR rank (A1 = 1 ... C2 = 6) per language: levels held, or levels required by a vacancy."""
    postcode: str | None = None
    driving_licences: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    """Regions a jobseeker accepts to work in (empty: no limit)."""
    max_km: int | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    """Other filterable attributes (contract types, working time, education level, ...)."""

    @property
    def key(self) -> tuple[str, str]:
        """(kind, id)."""
        return self.kind.value, self.id

    def skill_uris(self, role: Role | None = None) -> list[str]:
        """URIs of the skills, optionally of one role, without repeats."""
        return list(dict.fromkeys(c.uri for c in self.skills if role is None or c.role is role))

    def to_json(self) -> dict[str, Any]:
        """Plain JSON form, as stored."""
        return {
            "kind": self.kind.value,
            "id": self.id,
            "lang": self.lang,
            "active": self.active,
            "skills": [c.to_json() for c in self.skills],
            "occupations": [c.to_json() for c in self.occupations],
            "languages": dict(self.languages),
            "postcode": self.postcode,
            "driving_licences": list(self.driving_licences),
            "regions": list(self.regions),
            "max_km": self.max_km,
            "attributes": dict(self.attributes),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Profile:
        """Inverse of ``to_json``."""
        return cls(
            kind=ProfileKind(data["kind"]),
            id=data["id"],
            lang=data.get("lang", DEFAULT_LANGUAGE),
            active=bool(data.get("active", True)),
            skills=[ProfileConcept.from_json(c) for c in data.get("skills", [])],
            occupations=[ProfileConcept.from_json(c) for c in data.get("occupations", [])],
            languages={k: int(v) for k, v in data.get("languages", {}).items()},
            postcode=data.get("postcode"),
            driving_licences=tuple(data.get("driving_licences", ())),
            regions=tuple(data.get("regions", ())),
            max_km=data.get("max_km"),
            attributes=dict(data.get("attributes", {})),
        )


__all__ = ["Origin", "Profile", "ProfileConcept", "ProfileKind", "Role"]
