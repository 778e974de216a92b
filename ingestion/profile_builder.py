"""Turning accepted records into matching profiles: free text linked to ESCO, provenance kept.

Everything a batch needs linked is linked in a few batched calls (one encoder pass per kind of text), so
that ingestion stays fast with a cold encoder cache.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from esco_data import ConceptKind, Taxonomy
from ingestion.schemas import JobseekerIn, SkillItem, VacancyIn
from matching.linker import Linker, LinkKind
from matching.profiles import Origin, Profile, ProfileConcept, ProfileKind, Role

# A phrase of a vacancy description that says "is a plus" names a nice-to-have skill, not a requirement.
_OPTIONAL_MARK = re.compile(
    r"\b(?:atout|un plus|souhait\w*|apprécié\w*|pluspunt|troef|meegenomen|gewenst|wenselijk|is a plus|nice to have"
    r"|an asset|preferred|bonus)\b",
    re.IGNORECASE,
)


_EVIDENCE = {Origin.confirmed: 2, Origin.extracted: 1, Origin.inferred: 0}


@dataclass(frozen=True)
class BuilderConfig:
    """Thresholds and confidences of profile building (tuned on matching-dev)."""

    min_skill_score: float = 0.5
    """A free-text skill links to its best concept only at or above this score."""
    occupation_margin: float = 0.03
    """Occupations within this margin of a title's best one are kept too (ambiguous titles)."""
    inferred_confidence: float = 0.5
    """Confidence of an occupation's essential skill added as inferred (times the occupation's)."""
    text_confidence: float = 0.9
    """Confidence factor of skills extracted from a summary or description."""


@dataclass
class BuiltProfile:
    """A profile and the provenance of its linked concepts."""

    profile: Profile
    links: list[dict[str, Any]] = field(default_factory=list)


class _Requests:
    """Texts to link, collected over a batch, answered in one call per kind."""

    def __init__(self) -> None:
        self.short: dict[LinkKind, list[str]] = {"skill": [], "occupation": []}
        self.long: list[str] = []

    def add_short(self, kind: LinkKind, text: str) -> None:
        self.short[kind].append(text)

    def run(self, linker: Linker) -> tuple[dict[tuple[LinkKind, str], list[Any]], dict[str, list[Any]]]:
        short: dict[tuple[LinkKind, str], list[Any]] = {}
        for kind, texts in self.short.items():
            unique = list(dict.fromkeys(texts))
            # Skills keep their best concept only; a title keeps the close runners-up too.
            k = 1 if kind == "skill" else 3
            for text, found in zip(unique, linker.link_many(unique, kind, k=k), strict=True):
                short[(kind, text)] = found
        unique_long = list(dict.fromkeys(self.long))
        long = dict(zip(unique_long, linker.extract_many(unique_long, "skill"), strict=True))
        return short, long


class ProfileBuilder:
    """Builds profiles from validated records with the linker and the taxonomy."""

    def __init__(self, taxonomy: Taxonomy, linker: Linker, config: BuilderConfig | None = None) -> None:
        self.taxonomy = taxonomy
        self.linker = linker
        self.config = config or BuilderConfig()

    def build(self, records: Sequence[JobseekerIn | VacancyIn]) -> list[BuiltProfile]:
        """Profiles of a batch of records, in order.

        Args:
            records: validated jobseekers and/or vacancies (their ESCO URIs already checked).

        Returns:
            One built profile per record.
        """
        requests = _Requests()
        for record in records:
            for item in self._skill_items(record):
                if item.text and not item.uri:
                    requests.add_short("skill", item.text)
            for title, uri in self._titles(record):
                if uri is None:
                    requests.add_short("occupation", title)
            for text in self._long_texts(record):
                requests.long.append(text)
        short, long = requests.run(self.linker)
        return [self._assemble(record, short, long) for record in records]

    # -- what a record asks to link ---------------------------------------------------------------------

    @staticmethod
    def _skill_items(record: JobseekerIn | VacancyIn) -> list[SkillItem]:
        if isinstance(record, JobseekerIn):
            return list(record.skills)
        return [*record.required_skills, *record.nice_to_have_skills]

    @staticmethod
    def _titles(record: JobseekerIn | VacancyIn) -> list[tuple[str, str | None]]:
        if isinstance(record, JobseekerIn):
            titles = [(e.title, e.occupation_uri) for e in record.experiences]
            titles += [(d.title or "", d.occupation_uri) for d in record.desired_occupations]
            return titles
        return [(record.title, record.occupation_uri)]

    @staticmethod
    def _long_texts(record: JobseekerIn | VacancyIn) -> list[str]:
        text = record.summary if isinstance(record, JobseekerIn) else record.description
        return [text] if text and text.strip() else []

    # -- assembling ---------------------------------------------------------------------------------------

    def _assemble(
        self,
        record: JobseekerIn | VacancyIn,
        short: dict[tuple[LinkKind, str], list[Any]],
        long: dict[str, list[Any]],
    ) -> BuiltProfile:
        cfg = self.config
        is_jobseeker = isinstance(record, JobseekerIn)
        kind = ProfileKind.jobseeker if is_jobseeker else ProfileKind.vacancy
        skills: dict[str, ProfileConcept] = {}
        occupations: dict[str, ProfileConcept] = {}
        links: list[dict[str, Any]] = []

        def add(target: dict[str, ProfileConcept], concept: ProfileConcept) -> None:
            # The strongest evidence for a concept wins: confirmed > extracted > inferred, then confidence;
            # a requirement stays a requirement.
            rank = _EVIDENCE
            old = target.get(concept.uri)
            if old is None or (rank[concept.origin], concept.confidence) > (rank[old.origin], old.confidence):
                if old is not None and old.role is Role.required and concept.role is Role.optional:
                    concept.role = Role.required
                target[concept.uri] = concept
            elif concept.role is Role.required and old.role is Role.optional:
                old.role = Role.required

        if isinstance(record, JobseekerIn):
            groups: list[tuple[str, list[SkillItem], Role]] = [("skills", list(record.skills), Role.held)]
        else:
            groups = [
                ("required_skills", list(record.required_skills), Role.required),
                ("nice_to_have_skills", list(record.nice_to_have_skills), Role.optional),
            ]
        for field_name, items, role in groups:
            for i, item in enumerate(items):
                if item.uri:
                    add(skills, ProfileConcept(item.uri, role, Origin.confirmed, 1.0, item.text))
                elif item.text:
                    found = short.get(("skill", item.text), [])
                    if found and found[0].score >= cfg.min_skill_score:
                        hit = found[0]
                        add(
                            skills,
                            ProfileConcept(hit.uri, role, Origin.extracted, min(1.0, hit.score), item.text),
                        )
                        links.append(_link(f"{field_name}[{i}].text", item.text, hit, "skill"))

        for i, (title, uri) in enumerate(self._titles(record)):
            role = Role.held
            if is_jobseeker:
                assert isinstance(record, JobseekerIn)
                role = Role.held if i < len(record.experiences) else Role.wanted
            if uri:
                add(occupations, ProfileConcept(uri, role, Origin.confirmed, 1.0, title or None))
                continue
            found = short.get(("occupation", title), [])
            if not found:
                continue
            top = found[0].score
            for hit in found:
                if hit.score < top - cfg.occupation_margin:
                    break
                add(
                    occupations,
                    ProfileConcept(hit.uri, role, Origin.extracted, max(0.0, min(1.0, hit.score)), title),
                )
                links.append(_link(_title_field(record, i), title, hit, "occupation"))

        for text in self._long_texts(record):
            for hit in long.get(text, []):
                phrase = _sentence_around(text, hit.start, hit.end)
                role = (
                    Role.held if is_jobseeker else (Role.optional if _OPTIONAL_MARK.search(phrase) else Role.required)
                )
                conf = min(1.0, hit.score) * cfg.text_confidence
                add(skills, ProfileConcept(hit.uri, role, Origin.extracted, conf, hit.source))
                links.append(
                    {
                        **_link("summary" if is_jobseeker else "description", hit.source, hit, "skill"),
                        "span": [hit.start, hit.end],
                    }
                )

        for occupation in list(occupations.values()):
            concept = self.taxonomy.concept(occupation.uri)
            if concept.kind is not ConceptKind.occupation:
                continue
            role = Role.held if is_jobseeker else Role.optional
            conf = cfg.inferred_confidence * occupation.confidence
            for skill in self.taxonomy.skills_of(occupation.uri).essential:
                if skill not in skills:
                    skills[skill] = ProfileConcept(skill, role, Origin.inferred, conf, occupation.uri)

        profile = Profile(
            kind=kind,
            id=record.id,
            lang=_language(record, self.linker),
            active=record.active if isinstance(record, JobseekerIn) else record.status.value == "open",
            skills=list(skills.values()),
            occupations=list(occupations.values()),
            languages={
                lang: level.rank
                for lang, level in (
                    record.languages if isinstance(record, JobseekerIn) else record.language_requirements
                ).items()
            },
            postcode=record.postcode,
            driving_licences=tuple(sorted(lic.value for lic in record.driving_licences)),
            regions=tuple(r.value for r in record.travel.regions) if isinstance(record, JobseekerIn) else (),
            max_km=record.travel.max_km if isinstance(record, JobseekerIn) else None,
            attributes=_attributes(record),
        )
        return BuiltProfile(profile, links)


_SENTENCE_END = re.compile(r"[.!?;\n]")


def _sentence_around(text: str, start: int, end: int) -> str:
    """The sentence of a text that holds a span (what "est un atout" may qualify)."""
    before = [m.end() for m in _SENTENCE_END.finditer(text, 0, start)]
    after = _SENTENCE_END.search(text, end)
    return text[(before[-1] if before else 0) : (after.start() if after else len(text))]


def _title_field(record: JobseekerIn | VacancyIn, i: int) -> str:
    if isinstance(record, VacancyIn):
        return "title"
    n = len(record.experiences)
    return f"experiences[{i}].title" if i < n else f"desired_occupations[{i - n}].title"


def _link(field_path: str, text: str, hit: Any, kind: str) -> dict[str, Any]:
    return {
        "field": field_path,
        "text": text,
        "uri": hit.uri,
        "label": hit.label,
        "score": round(hit.score, 4),
        "kind": kind,
    }


def _language(record: JobseekerIn | VacancyIn, linker: Linker) -> str:
    if isinstance(record, JobseekerIn):
        return record.preferred_language.value
    if record.language is not None:
        return record.language.value
    return linker.detect_language(f"{record.title}. {record.description or ''}") or "fr"


def _attributes(record: JobseekerIn | VacancyIn) -> dict[str, Any]:
    if isinstance(record, JobseekerIn):
        prefs = record.contract_preferences
        return {
            "contract_types": [t.value for t in prefs.types],
            "working_time": prefs.working_time.value,
            "education_level": record.education_level,
            "available_from": record.available_from.isoformat() if record.available_from else None,
        }
    return {
        "contract_type": record.contract.type.value if record.contract.type else None,
        "working_time": record.contract.working_time.value,
        "hours_per_week": record.hours_per_week,
        "openings": record.openings,
        "valid_until": record.valid_until.isoformat() if record.valid_until else None,
        "status": record.status.value,
    }


__all__ = ["BuilderConfig", "BuiltProfile", "ProfileBuilder"]
