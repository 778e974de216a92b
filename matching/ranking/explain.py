"""Explanations of a match in the reader's language: matched, partly covered, likely and missing required
skills, nice-to-have skills, occupations in common, language levels and location.

A skill is *matched* only when the jobseeker's record states it (a coded competence, or text linked to it:
the explanation names the field and the span). A skill that an occupation the jobseeker held needs, but that
the record does not state, is *likely* ("likely, from your experience as ..."), never matched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any

import numpy as np

from esco_data import Taxonomy
from matching.profiles import Profile, ProfileConcept, ProfileKind
from matching.ranking.features import ProfileFeatures
from matching.ranking.languages import cefr_name
from matching.ranking.location import Place, PlaceColumns, distances_km, location_fits, place_values
from matching.ranking.related import RELATION_HIERARCHY, RelatedSkills
from matching.ranking.table import FeatureTable, lang_name
from matching.space import ConceptSpace


@dataclass(frozen=True)
class Labelled:
    """A concept with its label in the reader's language (``fallback``: in another language)."""

    uri: str
    label: str
    lang: str
    fallback: bool


@dataclass
class SkillExplanation:
    """One required (or nice-to-have) skill of the vacancy and how the jobseeker covers it."""

    skill: Labelled
    status: str
    """``matched``, ``partial``, ``likely`` or ``missing``."""
    credit: float
    covered_by: Labelled | None = None
    relation: str | None = None
    """``hierarchy`` (broader or narrower in ESCO) or ``similar`` (semantically close)."""
    evidence: dict[str, Any] | None = None
    """Where the jobseeker's record states the skill (matched): ``field`` ("skills[2].uri",
    "experiences[0].description"), and for a skill found in text its ``span`` (character offsets in that
    field) and ``text``."""
    inferred_from: Labelled | None = None
    """For a likely skill: the occupation the jobseeker held that needs it."""


@dataclass
class LanguageExplanation:
    """One language the vacancy requires, and the jobseeker's level."""

    language: str
    required: str | None
    held: str | None
    met: bool


@dataclass
class Explanation:
    """Why a jobseeker and a vacancy match, for a reader of one language."""

    lang: str
    matched: list[SkillExplanation] = field(default_factory=list)
    partial: list[SkillExplanation] = field(default_factory=list)
    likely: list[SkillExplanation] = field(default_factory=list)
    """Required skills the jobseeker has not stated but likely has, from an occupation they held."""
    missing: list[SkillExplanation] = field(default_factory=list)
    nice_to_have: list[SkillExplanation] = field(default_factory=list)
    occupations: list[Labelled] = field(default_factory=list)
    """Occupations both sides point to (by their titles or skills)."""
    languages: list[LanguageExplanation] = field(default_factory=list)
    location: dict[str, Any] = field(default_factory=dict)


class Explainer:
    """Builds explanations for a query profile and candidate rows."""

    def __init__(self, taxonomy: Taxonomy, space: ConceptSpace, related: RelatedSkills) -> None:
        self.taxonomy = taxonomy
        self.space = space
        self.related = related
        self._labels: dict[tuple[str, str], Labelled] = {}

    def _label(self, uri: str, lang: str) -> Labelled:
        key = (uri, lang)
        found = self._labels.get(key)
        if found is None:
            text = self.taxonomy.label(uri, lang)
            found = Labelled(uri, text.text, text.lang, text.fallback)
            if len(self._labels) < 200_000:
                self._labels[key] = found
        return found

    def _skills(
        self,
        required: dict[str, float],
        held: set[str],
        inferred: set[str],
        lang: str,
        holder: Profile | None,
        credit: float,
    ) -> list[SkillExplanation]:
        held_rows = {self.space.index_of(u) for u in held if u in self.space}
        evidence = {c.uri: c for c in holder.skills} if holder is not None else {}
        out = []
        for uri in sorted(required, key=lambda u: -required[u]):
            if uri in held:
                stated = evidence.get(uri)
                out.append(SkillExplanation(self._label(uri, lang), "matched", 1.0, evidence=_evidence(stated)))
                continue
            best = self.related.best(self.space.index_of(uri), held_rows) if uri in self.space else None
            if best is not None:
                row, related_credit, kind = best
                out.append(
                    SkillExplanation(
                        self._label(uri, lang),
                        "partial",
                        round(related_credit, 3),
                        self._label(self.space.concept_uris[row], lang),
                        "hierarchy" if kind == RELATION_HIERARCHY else "similar",
                    )
                )
                continue
            if uri in inferred:
                source = evidence.get(uri)
                occupation = source.source if source is not None and source.source in self.taxonomy else None
                out.append(
                    SkillExplanation(
                        self._label(uri, lang),
                        "likely",
                        round(credit, 3),
                        inferred_from=self._label(occupation, lang) if occupation else None,
                    )
                )
                continue
            out.append(SkillExplanation(self._label(uri, lang), "missing", 0.0))
        return out

    def explain(
        self,
        query: ProfileFeatures,
        table: FeatureTable,
        row: int,
        lang: str,
        candidate: Profile | None = None,
        *,
        inferred_credit: float = 0.0,
    ) -> Explanation:
        """Explain one candidate of a query.

        Args:
            query: the query profile's features.
            table: the candidates' table.
            row: the candidate's row.
            lang: the reader's language (labels fall back per concept and say so).
            candidate: the candidate's profile, when at hand: a jobseeker candidate's matched skills then
                say where the record states them.
            inferred_credit: the credit a likely (inferred) skill gets in the score.
        """
        uris = self.space.concept_uris
        r = table.ragged

        def as_dict(key: str) -> dict[str, float]:
            ids, values = r[key].row(row)
            return {uris[i]: float(v) for i, v in zip(ids.tolist(), values.tolist(), strict=True)}

        if query.profile.kind is ProfileKind.vacancy:
            required, optional = query.required, query.optional
            held, inferred = set(as_dict("skills")), set(as_dict("inferred"))
            holder = candidate
            needed = {k: float(v) for k, v in query.languages.items()}
            ids, levels = r["languages"].row(row)
            have = {lang_name(int(i)): float(v) for i, v in zip(ids.tolist(), levels.tolist(), strict=True)}
        else:
            required, optional = as_dict("required"), as_dict("optional")
            held, inferred = set(query.skills), set(query.inferred)
            holder = query.profile
            ids, levels = r["languages"].row(row)
            needed = {lang_name(int(i)): float(v) for i, v in zip(ids.tolist(), levels.tolist(), strict=True)}
            have = {k: float(v) for k, v in query.languages.items()}
        explanation = Explanation(lang=lang)
        for item in self._skills(required, held, inferred, lang, holder, inferred_credit):
            getattr(explanation, item.status).append(item)
        explanation.nice_to_have = self._skills(optional, held, inferred, lang, holder, inferred_credit)
        mine = {**query.occupations, **query.groups}
        theirs = {**as_dict("occupations"), **as_dict("groups")}
        shared = sorted(set(mine) & set(theirs), key=lambda u: -min(mine[u], theirs[u]))
        explanation.occupations = [self._label(u, lang) for u in shared[:3]]
        explanation.languages = [
            LanguageExplanation(code, cefr_name(level), cefr_name(have.get(code, 0.0)), have.get(code, 0.0) >= level)
            for code, level in sorted(needed.items())
        ]
        explanation.location = self._location(query, table, row)
        return explanation

    @staticmethod
    def _location(query: ProfileFeatures, table: FeatureTable, row: int) -> dict[str, Any]:
        other = table.places(np.asarray([row], dtype=np.int64))
        # The row's stored columns, with an unknown position as None (NaN equals nothing, so it cannot be a key).
        lat, lon = float(other.lat[0]), float(other.lon[0])
        stored = (int(other.postcode[0]), int(other.region[0]), int(other.commune[0]))
        return dict(_location_of(query.place, *stored, None if lat != lat else lat, None if lon != lon else lon))


@lru_cache(maxsize=4096)
def _location_of(
    mine: Place | None, code: int, region: int, commune: int, lat: float | None, lon: float | None
) -> tuple[tuple[str, Any], ...]:
    """The location part of an explanation, from the query's place and the candidate's stored place columns.

    Kept by its inputs (places are few: a query's twenty explanations mostly repeat a handful of pairs); the
    same column functions as the score, on a column of one.
    """
    other = PlaceColumns(
        postcode=np.asarray([code], dtype=np.int16),
        region=np.asarray([region], dtype=np.int8),
        commune=np.asarray([commune], dtype=np.int8),
        lat=np.asarray([np.nan if lat is None else lat], dtype=np.float32),
        lon=np.asarray([np.nan if lon is None else lon], dtype=np.float32),
    )
    out: dict[str, Any] = {
        "query_postcode": mine.postcode if mine else None,
        "candidate_postcode": f"{code:04d}" if code else None,
        # At the score's precision, so that the explanation shows the score's own location component.
        "fit": round(float(location_fits(mine, other).astype(np.float32)[0]), 4),
    }
    if mine and code:
        mine_values = place_values(mine)
        out |= {
            "same_commune": bool(mine_values["commune"]) and mine_values["commune"] == commune,
            "same_region": mine_values["region"] == region,
            "km": round(float(distances_km(mine, other)[0]), 1),
        }
    return tuple(out.items())


class Band(StrEnum):
    """What a score means for one candidate, the same on every vacancy (``band``)."""

    strong = "strong"
    partial = "partial"
    weak = "weak"
    occupation_only = "occupation_only"
    """The vacancy states no required skill: the match rests on the occupation and the rest."""


@dataclass(frozen=True)
class BandRule:
    """The limits of the bands: shares of the vacancy's required skills, and the score a strong match needs.

    A share counts required skills, so a band says the same thing on a vacancy with 2 required skills as on one
    with 20; only skills the candidate states (or a person confirmed) count as held: a likely (inferred) skill
    never makes a match strong.
    """

    strong_held: float = 0.5
    """A strong match holds at least this share of the required skills ..."""
    strong_score: float = 0.5
    """... and scores at least this."""
    partial_covered: float = 0.25
    """A partial match holds, comes close to (a related skill) or likely has at least this share."""


BAND_RULE = BandRule()


def band(score: float, explanation: Explanation, rule: BandRule = BAND_RULE) -> Band:
    """The band of an explained match: the one rule for the API and the pages.

    Args:
        score: the match's score (0-1).
        explanation: its explanation (the vacancy's required skills, each matched, partial, likely or missing).
        rule: the limits.

    Returns:
        ``occupation_only`` when the vacancy states no required skill; ``strong`` when the candidate holds
        (stated or confirmed) at least ``strong_held`` of them and the score reaches ``strong_score`` (so a
        candidate holding none is never strong); ``partial`` when held, related and likely skills cover at
        least ``partial_covered`` of them; else ``weak``.
    """
    held, related, likely = len(explanation.matched), len(explanation.partial), len(explanation.likely)
    required = held + related + likely + len(explanation.missing)
    if required == 0:
        return Band.occupation_only
    if held > 0 and held / required >= rule.strong_held and score >= rule.strong_score:
        return Band.strong
    if (held + related + likely) / required >= rule.partial_covered:
        return Band.partial
    return Band.weak


def _evidence(stated: ProfileConcept | None) -> dict[str, Any] | None:
    """Where a record states a skill: its field, and for text its span and words."""
    if stated is None or stated.field is None:
        return None
    found: dict[str, Any] = {"field": stated.field}
    if stated.span is not None:
        found |= {"span": list(stated.span), "text": stated.source}
    return found


__all__ = [
    "BAND_RULE",
    "Band",
    "BandRule",
    "Explainer",
    "Explanation",
    "LanguageExplanation",
    "Labelled",
    "SkillExplanation",
]
