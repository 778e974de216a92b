"""The anonymised form of a dossier that a consultant sends to an employer: no name, no contact, no postcode.

It keeps what an employer needs to judge the fit (experience, ESCO skills in the reader's language, language
levels, education level, licences, region, availability and contract wishes) and nothing that identifies the
person: the free-text summary is left out as it may name them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from esco_data import Taxonomy, UnknownConcept
from matching.ranking import place_of


class AnonymisedSkill(BaseModel):
    """A skill, as ESCO names it in the reader's language (or the dossier's text when it has no URI)."""

    label: str
    uri: str | None = None
    level: str | None = None


class AnonymisedProfile(BaseModel):
    """A dossier without anything that identifies the person."""

    reference: str
    experiences: list[dict[str, Any]]
    skills: list[AnonymisedSkill]
    languages: dict[str, str]
    education_level: int | None
    driving_licences: list[str]
    region: str | None
    available_from: str | None
    contract_preferences: dict[str, Any]
    lang: str


def anonymise(row: dict[str, Any], taxonomy: Taxonomy, lang: str) -> AnonymisedProfile:
    """The anonymised form of a stored jobseeker row.

    Args:
        row: the stored row (``data`` holds the validated dossier).
        taxonomy: ESCO, for skill labels.
        lang: the reader's language.
    """
    data = row["data"]
    skills = []
    for item in data.get("skills", []):
        uri = item.get("uri")
        label = item.get("text") or ""
        if uri:
            try:
                label = taxonomy.label(uri, lang).text
            except UnknownConcept:
                label = label or uri
        skills.append(AnonymisedSkill(label=label, uri=uri, level=item.get("level")))
    experiences = []
    for exp in data.get("experiences", []):
        title = exp.get("title")
        if exp.get("occupation_uri"):
            try:
                title = taxonomy.label(exp["occupation_uri"], lang).text
            except UnknownConcept:
                pass
        experiences.append({"title": title, "years": exp.get("years")})
    place = place_of(data.get("postcode"))
    return AnonymisedProfile(
        reference=row["id"],
        experiences=experiences,
        skills=skills,
        languages=dict(data.get("languages", {})),
        education_level=data.get("education_level"),
        driving_licences=list(data.get("driving_licences", [])),
        region=place.region.value if place else None,
        available_from=data.get("available_from"),
        contract_preferences=dict(data.get("contract_preferences", {})),
        lang=lang,
    )


__all__ = ["AnonymisedProfile", "AnonymisedSkill", "anonymise"]
