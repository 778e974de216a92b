"""What linking a text gives: the kinds of concept a text links to, and one linked concept.

Shared by the linker and the skill extractor, which ranks its clauses with the linker through this shape
only (``skill_extraction.SkillLinker``), so neither module imports the other both ways.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from esco_data import ConceptKind

LinkKind = Literal["skill", "occupation"]
"""The kinds of concept a text links to."""


@dataclass(frozen=True, slots=True)
class LinkedConcept:
    """A concept that a text links to."""

    uri: str
    kind: ConceptKind
    score: float
    label: str
    """The concept's label that matched best."""
    label_lang: str
    confidence: float | None = None
    """For an occupation chosen with its text: the share of belief among the title's candidates (0-1)."""
    learned_link: int | None = None
    """The learned link that put it here: a consultant confirmed this concept for the same phrase."""
    confirmed_on: str | None = None
    """When that consultant confirmed it (ISO date): the evidence "confirmed by a consultant on DATE"."""


__all__ = ["LinkKind", "LinkedConcept"]
