"""CEFR language levels (A1 ... C2): the one definition that schemas, filters, scoring and explanations share.

Profiles store a level as its rank, 1 (A1) to 6 (C2); 0 means no level.
"""

from __future__ import annotations

from enum import StrEnum


class Cefr(StrEnum):
    """CEFR language levels, in increasing order."""

    A1 = "A1"
    A2 = "A2"
    B1 = "B1"
    B2 = "B2"
    C1 = "C1"
    C2 = "C2"

    @property
    def rank(self) -> int:
        """1 (A1) to 6 (C2)."""
        return _RANKS[self]

    @classmethod
    def of_rank(cls, rank: float) -> Cefr | None:
        """The level of a rank (rounded), or None for 0 or anything outside 1-6."""
        value = int(round(rank))
        return _LEVELS[value - 1] if 1 <= value <= len(_LEVELS) else None


_LEVELS = tuple(Cefr)
_RANKS = {level: i + 1 for i, level in enumerate(_LEVELS)}


def cefr_name(rank: float) -> str | None:
    """A CEFR rank (1-6) as its name (``"B1"``); None for 0 (no level)."""
    level = Cefr.of_rank(rank)
    return level.value if level is not None else None


__all__ = ["Cefr", "cefr_name"]
