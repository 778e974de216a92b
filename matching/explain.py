"""Explanations of a match in the reader's language: matched, partly covered and missing required skills,
nice-to-have skills, occupations in common, language levels and location."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from esco_data import Taxonomy
from matching.concept_space import ConceptSpace
from matching.features import ProfileFeatures
from matching.languages import cefr_name
from matching.location import distances_km, location_fits, place_values
from matching.profiles import ProfileKind
from matching.related import RELATION_HIERARCHY, RelatedSkills
from matching.table import FeatureTable, lang_name


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
    """``matched``, ``partial`` or ``missing``."""
    credit: float
    covered_by: Labelled | None = None
    relation: str | None = None
    """``hierarchy`` (broader or narrower in ESCO) or ``similar`` (semantically close)."""


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

    def _skills(self, required: dict[str, float], held: set[str], lang: str) -> list[SkillExplanation]:
        held_rows = {self.space.index_of(u) for u in held if u in self.space}
        out = []
        for uri in sorted(required, key=lambda u: -required[u]):
            if uri in held:
                out.append(SkillExplanation(self._label(uri, lang), "matched", 1.0))
                continue
            best = self.related.best(self.space.index_of(uri), held_rows) if uri in self.space else None
            if best is None:
                out.append(SkillExplanation(self._label(uri, lang), "missing", 0.0))
                continue
            row, credit, kind = best
            out.append(
                SkillExplanation(
                    self._label(uri, lang),
                    "partial",
                    round(credit, 3),
                    self._label(self.space.concept_uris[row], lang),
                    "hierarchy" if kind == RELATION_HIERARCHY else "similar",
                )
            )
        return out

    def explain(self, query: ProfileFeatures, table: FeatureTable, row: int, lang: str) -> Explanation:
        """Explain one candidate of a query.

        Args:
            query: the query profile's features.
            table: the candidates' table.
            row: the candidate's row.
            lang: the reader's language (labels fall back per concept and say so).
        """
        uris = self.space.concept_uris
        r = table.ragged

        def as_dict(key: str) -> dict[str, float]:
            ids, values = r[key].row(row)
            return {uris[i]: float(v) for i, v in zip(ids.tolist(), values.tolist(), strict=True)}

        if query.profile.kind is ProfileKind.vacancy:
            required, optional = query.required, query.optional
            held = set(as_dict("skills"))
            needed = {k: float(v) for k, v in query.languages.items()}
            ids, levels = r["languages"].row(row)
            have = {lang_name(int(i)): float(v) for i, v in zip(ids.tolist(), levels.tolist(), strict=True)}
        else:
            required, optional = as_dict("required"), as_dict("optional")
            held = set(query.skills)
            ids, levels = r["languages"].row(row)
            needed = {lang_name(int(i)): float(v) for i, v in zip(ids.tolist(), levels.tolist(), strict=True)}
            have = {k: float(v) for k, v in query.languages.items()}
        explanation = Explanation(lang=lang)
        for item in self._skills(required, held, lang):
            getattr(explanation, item.status).append(item)
        explanation.nice_to_have = self._skills(optional, held, lang)
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
        mine = query.place
        other = table.places(np.asarray([row], dtype=np.int64))
        code = int(other.postcode[0])
        out: dict[str, Any] = {
            "query_postcode": mine.postcode if mine else None,
            "candidate_postcode": f"{code:04d}" if code else None,
            # At the score's precision, so that the explanation shows the score's own location component.
            "fit": round(float(location_fits(mine, other).astype(np.float32)[0]), 4),
        }
        if mine and code:
            mine_values = place_values(mine)
            out |= {
                "same_commune": bool(mine_values["commune"]) and mine_values["commune"] == int(other.commune[0]),
                "same_region": mine_values["region"] == int(other.region[0]),
                "km": round(float(distances_km(mine, other)[0]), 1),
            }
        return out


__all__ = ["Explainer", "Explanation", "LanguageExplanation", "Labelled", "SkillExplanation"]
