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
from matching.linking import ExtractedConcept, LinkedConcept, Linker, language_mentions, only_language
from matching.profiles import Origin, Profile, ProfileConcept, ProfileKind, Role
from matching.ranking import Cefr

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
    proposals: int = 5
    """Occupations proposed per title (shown with their confidence, for a person to confirm one)."""


@dataclass
class BuiltProfile:
    """A profile and the provenance of its linked concepts."""

    profile: Profile
    links: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Text:
    """A free text of a record that skills are extracted from: its field path and its text."""

    field: str
    text: str


@dataclass(frozen=True, slots=True)
class _Title:
    """A title of a record, the field it is in, its ESCO URI if given, and the text that goes with it."""

    field: str
    title: str
    uri: str | None
    context: str | None
    role: Role


class _Requests:
    """Texts to link, collected over a batch, answered in one call per kind and language."""

    def __init__(self) -> None:
        self.skills: dict[str | None, list[str]] = {}
        self.titles: dict[str | None, list[tuple[str, str | None]]] = {}
        self.texts: dict[str | None, list[str]] = {}

    def run(self, linker: Linker, proposals: int) -> _Answers:
        answers = _Answers()
        for lang, texts in self.skills.items():
            unique = list(dict.fromkeys(texts))
            # A free-text skill keeps its best concept that agrees with it in head and complement:
            # "prévention des escarres" is no "gérer la prévention des vols".
            for text, best in zip(unique, linker.skills.link_phrases(unique, lang), strict=True):
                answers.skills[(lang, text)] = [best] if best is not None else []
        for lang, titles in self.titles.items():
            pairs = list(dict.fromkeys(titles))
            found_all = linker.link_titles([t for t, _ in pairs], [c for _, c in pairs], lang, k=proposals)
            for pair, found in zip(pairs, found_all, strict=True):
                answers.titles[(lang, *pair)] = found
        for lang, texts in self.texts.items():
            unique = list(dict.fromkeys(texts))
            for text, extracted in zip(unique, linker.extract_many(unique, "skill", lang), strict=True):
                answers.texts[(lang, text)] = extracted
        return answers


@dataclass
class _Answers:
    skills: dict[tuple[str | None, str], list[LinkedConcept]] = field(default_factory=dict)
    titles: dict[tuple[str | None, str, str | None], list[LinkedConcept]] = field(default_factory=dict)
    texts: dict[tuple[str | None, str], list[ExtractedConcept]] = field(default_factory=dict)


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
            lang = _text_language(record)
            for _, _, item in self._skill_items(record):
                if item.text and not item.uri:
                    requests.skills.setdefault(lang, []).append(item.text)
            for title in self._titles(record):
                if title.uri is None:
                    requests.titles.setdefault(lang, []).append((title.title, title.context))
            for text in self._texts(record):
                requests.texts.setdefault(lang, []).append(text.text)
        answers = requests.run(self.linker, self.config.proposals)
        return [self._assemble(record, answers) for record in records]

    # -- what a record asks to link ---------------------------------------------------------------------

    @staticmethod
    def _skill_items(record: JobseekerIn | VacancyIn) -> list[tuple[str, Role, SkillItem]]:
        """(field path, role, item) of every skill item of a record."""
        if isinstance(record, JobseekerIn):
            return [(f"skills[{i}]", Role.held, item) for i, item in enumerate(record.skills)]
        return [(f"required_skills[{i}]", Role.required, item) for i, item in enumerate(record.required_skills)] + [
            (f"nice_to_have_skills[{i}]", Role.optional, item) for i, item in enumerate(record.nice_to_have_skills)
        ]

    @staticmethod
    def _titles(record: JobseekerIn | VacancyIn) -> list[_Title]:
        if isinstance(record, JobseekerIn):
            titles = [
                _Title(f"experiences[{i}].title", e.title, e.occupation_uri, e.description, Role.held)
                for i, e in enumerate(record.experiences)
            ]
            titles += [
                _Title(f"desired_occupations[{i}].title", d.title or "", d.occupation_uri, None, Role.wanted)
                for i, d in enumerate(record.desired_occupations)
            ]
            return titles
        return [_Title("title", record.title, record.occupation_uri, record.description, Role.held)]

    @staticmethod
    def _texts(record: JobseekerIn | VacancyIn) -> list[_Text]:
        if isinstance(record, JobseekerIn):
            texts = [_Text("summary", record.summary)] if record.summary else []
            texts += [
                _Text(f"experiences[{i}].description", e.description)
                for i, e in enumerate(record.experiences)
                if e.description
            ]
        else:
            texts = [_Text("description", record.description)] if record.description else []
        return [t for t in texts if t.text.strip()]

    # -- assembling ---------------------------------------------------------------------------------------

    def _assemble(self, record: JobseekerIn | VacancyIn, answers: _Answers) -> BuiltProfile:
        cfg = self.config
        is_jobseeker = isinstance(record, JobseekerIn)
        lang = _text_language(record)
        kind = ProfileKind.jobseeker if is_jobseeker else ProfileKind.vacancy
        skills: dict[str, ProfileConcept] = {}
        occupations: dict[str, ProfileConcept] = {}
        links: list[dict[str, Any]] = []
        excluded = set(record.excluded_skills)
        """Skills a person removed: only a statement brings one back."""

        def add(target: dict[str, ProfileConcept], concept: ProfileConcept) -> None:
            if target is skills and concept.uri in excluded and concept.origin is not Origin.confirmed:
                return
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

        read_languages: dict[str, int] = {}
        """Levels read from the record's words (stated levels come first)."""

        def read_language(field_path: str, text: str, optional: bool | None = None) -> None:
            # A vacancy's "is a plus" makes a language nice to have: shown, not required.
            for mention in language_mentions(text):
                nice = optional
                if nice is None:
                    sentence = _sentence_around(text, mention.start, mention.end)
                    nice = not is_jobseeker and bool(_OPTIONAL_MARK.search(sentence))
                if not nice:
                    read_languages[mention.lang] = max(read_languages.get(mention.lang, 0), Cefr(mention.level).rank)
                links.append(
                    {
                        "field": field_path,
                        "text": text[mention.start : mention.end],
                        "kind": "language",
                        "lang": mention.lang,
                        "level": mention.level,
                        "level_stated": mention.level_stated,
                        "span": [mention.start, mention.end],
                        "optional": nice,
                    }
                )

        for path, role, item in self._skill_items(record):
            if item.uri:
                add(skills, ProfileConcept(item.uri, role, Origin.confirmed, 1.0, item.text, f"{path}.uri"))
            elif item.text and only_language(item.text):
                # "Frans", "bonne connaissance du néerlandais": a language requirement, never a skill.
                read_language(f"{path}.text", item.text, role is Role.optional)
            elif item.text:
                linked = answers.skills.get((lang, item.text), [])
                if linked and linked[0].score >= cfg.min_skill_score and linked[0].uri not in excluded:
                    best = linked[0]
                    whole = (0, len(item.text))
                    add(
                        skills,
                        ProfileConcept(
                            best.uri, role, Origin.extracted, min(1.0, best.score), item.text, f"{path}.text", whole
                        ),
                    )
                    links.append(_link(f"{path}.text", item.text, best, "skill") | {"span": list(whole)})

        for title in self._titles(record):
            if title.uri:
                given = ProfileConcept(title.uri, title.role, Origin.confirmed, 1.0, title.title or None, title.field)
                add(occupations, given)
                continue
            chosen = answers.titles.get((lang, title.title, title.context), [])
            if not chosen:
                continue
            links.append(_proposals(title.field, title.title, chosen))
            top = chosen[0].score
            for hit in chosen:
                if hit.score < top - cfg.occupation_margin:
                    break
                confidence = hit.confidence if hit.confidence is not None else max(0.0, min(1.0, hit.score))
                add(
                    occupations,
                    ProfileConcept(hit.uri, title.role, Origin.extracted, confidence, title.title, title.field),
                )
                links.append(_link(title.field, title.title, hit, "occupation") | {"confidence": confidence})

        for text in self._texts(record):
            read_language(text.field, text.text)
            for stated in answers.texts.get((lang, text.text), []):
                if stated.uri in excluded:
                    continue
                phrase = _sentence_around(text.text, stated.start, stated.end)
                role = (
                    Role.held if is_jobseeker else (Role.optional if _OPTIONAL_MARK.search(phrase) else Role.required)
                )
                conf = min(1.0, stated.score) * cfg.text_confidence
                where = (stated.start, stated.end)
                add(skills, ProfileConcept(stated.uri, role, Origin.extracted, conf, stated.source, text.field, where))
                links.append(
                    {
                        **_link(text.field, stated.source, stated, "skill"),
                        "span": list(where),
                        "section": stated.section,
                    }
                )

        titles_by_field = {t.field: t for t in self._titles(record)}
        for occupation in list(occupations.values()):
            if (
                self.taxonomy.concept(occupation.uri).kind is not ConceptKind.occupation
                or occupation.role is Role.wanted
            ):
                continue
            # Skills an occupation needs are likely for someone who held it, and likely needed by a vacancy for
            # it: weaker evidence, never stated, kept apart from what the record says.
            role = Role.held if is_jobseeker else Role.optional
            conf = cfg.inferred_confidence * occupation.confidence
            source_field = occupation.field if occupation.field in titles_by_field else None
            for skill in self.taxonomy.skills_of(occupation.uri).essential:
                if skill not in skills and skill not in excluded:
                    skills[skill] = ProfileConcept(skill, role, Origin.inferred, conf, occupation.uri, source_field)

        profile = Profile(
            kind=kind,
            id=record.id,
            lang=_language(record, self.linker),
            active=record.active if isinstance(record, JobseekerIn) else record.status.value == "open",
            skills=list(skills.values()),
            occupations=list(occupations.values()),
            languages=read_languages
            | {
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


def _text_language(record: JobseekerIn | VacancyIn) -> str | None:
    """The language a record's texts are written in when the record says (a vacancy's ``language``)."""
    if isinstance(record, VacancyIn) and record.language is not None:
        return record.language.value
    return None


def _link(field_path: str, text: str, hit: Any, kind: str) -> dict[str, Any]:
    out = {
        "field": field_path,
        "text": text,
        "uri": hit.uri,
        "label": hit.label,
        "score": round(hit.score, 4),
        "kind": kind,
    }
    if getattr(hit, "learned_link", None) is not None:
        # Evidence: a consultant confirmed this concept for the same phrase ("confirmed by a consultant on DATE").
        out |= {"learned_link": hit.learned_link, "confirmed_on": hit.confirmed_on}
    return out


def _proposals(field_path: str, title: str, found: Sequence[LinkedConcept]) -> dict[str, Any]:
    """What the engine proposed for a title, best first: for a person to confirm one, and kept as provenance."""
    return {
        "field": field_path,
        "text": title,
        "kind": "proposals",
        "proposals": [
            {
                "uri": hit.uri,
                "label": hit.label,
                "score": round(hit.score, 4),
                "confidence": hit.confidence,
                **({"learned_link": hit.learned_link, "confirmed_on": hit.confirmed_on} if hit.learned_link else {}),
            }
            for hit in found
        ],
    }


def _language(record: JobseekerIn | VacancyIn, linker: Linker) -> str:
    if isinstance(record, JobseekerIn):
        return record.preferred_language.value
    if record.language is not None:
        return record.language.value
    return linker.detect_language(f"{record.title}. {record.description or ''}") or linker.config.default_language


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
