"""Normalisation of text for lookup and matching: case, accents, ligatures, punctuation and spacing.

The one home of the accent fold: the linker's label lookup, the discrimination screen and the screen of a
jobseeker's own text all fold text here, so that "Sœur", "SOEUR" and "soeur" read alike everywhere.
"""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_UNDERSCORE = re.compile(r"_+")
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"})
"""Ligatures that Unicode does not decompose, spelled out."""
_TYPOGRAPHIC = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
        "\u00b4": "'",
        "`": "'",
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
    }
)
"""Typographic apostrophes and dashes, as their ASCII forms."""


class _AccentFold(dict[int, str]):
    """Each character's accent-free form, worked out on first sight (a ``str.translate`` table).

    Removing the combining marks of a compatibility decomposition works character by character (canonical
    reordering only moves combining marks, which go), so a table of characters folds a text as a whole would.
    Characters past U+2FFF (CJK, emoji, private use) are folded each time, not kept: the table stays small
    whatever the input.
    """

    def __missing__(self, code: int) -> str:
        decomposed = unicodedata.normalize("NFKD", chr(code).translate(_LIGATURES))
        folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        if code < 0x3000:
            self[code] = folded
        return folded


_ACCENT_FOLD = _AccentFold()


def strip_accents(text: str) -> str:
    """Remove diacritics: ``"boulangère"`` -> ``"boulangere"``.

    Args:
        text: any text.

    Returns:
        The text with combining marks removed (compatibility forms decomposed; the ligatures "œ" and "æ"
        become "oe" and "ae").
    """
    if text.isascii():
        return text
    return text.translate(_ACCENT_FOLD)


def fold_text(text: str) -> str:
    """Fold text for matching: casefolded, accents removed, ligatures spelled out, typographic apostrophes and
    dashes as ASCII (``"Sœur d’Âge"`` -> ``"soeur d'age"``).

    Args:
        text: any text.

    Returns:
        The folded text. Folding character by character gives the same text, so a caller may keep a map from
        each folded character to the one it came from; a combining mark on its own folds to "".
    """
    return strip_accents(text.translate(_TYPOGRAPHIC)).casefold()


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


__all__ = ["fold_text", "normalize_label", "strip_accents"]
