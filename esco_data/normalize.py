"""Normalisation of labels for lookup: case, accents, punctuation and spacing."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_UNDERSCORE = re.compile(r"_+")


def strip_accents(text: str) -> str:
    """Remove diacritics: ``"boulangère"`` -> ``"boulangere"``.

    Args:
        text: any text.

    Returns:
        The text with combining marks removed (ligatures such as "œ" become "oe").
    """
    decomposed = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "OE"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalize_label(text: str) -> str:
    """Normalise a label for exact lookup: casefold, no accents, punctuation as spaces, single spaces.

    Args:
        text: a label or a phrase.

    Returns:
        The normalised form; two labels that differ only in case, accents, punctuation or spacing
        normalise to the same string.
    """
    text = strip_accents(text).casefold()
    text = _UNDERSCORE.sub(" ", _NON_WORD.sub(" ", text))
    return " ".join(text.split())


__all__ = ["normalize_label", "strip_accents"]
