"""The one cleaning of every text that comes in: invisible, control and direction characters removed.

Records, query texts and imported files all pass through ``clean_text``, so that a title made only of
zero-width spaces is refused as empty instead of being linked to ESCO, a NUL character never reaches the
database (PostgreSQL refuses it), and a right-to-left override cannot make a name or an e-mail address read
differently from what it is.
"""

from __future__ import annotations

import re
import unicodedata

# Characters that show nothing but are not format characters (category Cf, removed by category below).
_INVISIBLE = frozenset(
    {
        "\u115f",  # Hangul choseong filler
        "\u1160",  # Hangul jungseong filler
        "\u180e",  # Mongolian vowel separator
        "\u2800",  # Braille pattern blank
        "\u3164",  # Hangul filler
        "\uffa0",  # halfwidth Hangul filler
        "\ufffc",  # object replacement character
    }
)
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n\s*\n\s*\n+")


class EmptyText(ValueError):
    """A text that had characters, but none that a reader can see."""


def _keep(char: str, multiline: bool) -> bool:
    if char == "\n":
        return multiline
    if char in _INVISIBLE:
        return False
    category = unicodedata.category(char)
    # Cc: control characters (NUL included); Cf: format characters (zero-width spaces, joiners, the bidi
    # embeddings, overrides and isolates, the byte order mark, soft hyphens); Cs/Co/Cn: surrogates, private use,
    # unassigned code points.
    return category not in ("Cc", "Cf", "Cs", "Co", "Cn") or char == "\t"


def clean_text(value: str, *, multiline: bool = False) -> str:
    """Clean one text: NFC, invisible and control characters removed, white space tidied.

    Args:
        value: the text as it came in.
        multiline: keep line breaks (a summary, a description); otherwise they become spaces.

    Returns:
        The cleaned text, stripped; empty when the input was empty or only white space.

    Raises:
        EmptyText: the input had characters but only invisible or control ones (and white space).
    """
    text = unicodedata.normalize("NFC", _LINE_BREAKS.sub("\n", value))
    if not multiline:
        text = text.replace("\n", " ")
    kept = "".join(c if _keep(c, multiline) else "" for c in text)
    kept = _SPACES.sub(" ", kept)
    if multiline:
        kept = _BLANK_LINES.sub("\n\n", "\n".join(line.strip() for line in kept.split("\n")))
    kept = kept.strip()
    if not kept and value.strip():
        raise EmptyText("is empty once invisible and control characters are removed")
    return kept


def printable(value: str) -> str:
    """A text that any database stores and any log shows: control characters as ``\\uXXXX`` escapes.

    For what must be kept as it came (the raw line of a rejected record), not cleaned.
    """
    return "".join(
        c if c in "\n\t" or unicodedata.category(c) not in ("Cc", "Cs") else f"\\u{ord(c):04x}" for c in value
    )


__all__ = ["EmptyText", "clean_text", "printable"]
