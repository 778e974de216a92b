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
_HIDDEN_RANGES = (
    (0x00, 0x08), (0x0E, 0x1B), (0x7F, 0x84), (0x86, 0x9F), (0xAD, 0xAD), (0x600, 0x605), (0x61C, 0x61C),
    (0x6DD, 0x6DD), (0x70F, 0x70F), (0x890, 0x891), (0x8E2, 0x8E2), (0x115F, 0x1160), (0x180E, 0x180E),
    (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2064), (0x2066, 0x206F), (0x2800, 0x2800), (0x3164, 0x3164),
    (0xE000, 0xF8FF), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF9, 0xFFFC), (0x110BD, 0x110BD),
    (0x110CD, 0x110CD), (0x13430, 0x13438), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001),
    (0xE0020, 0xE007F), (0xF0000, 0xFFFFD), (0x100000, 0x10FFFD),
)  # fmt: skip
"""The characters ``clean_text`` removes that are not white space (control, format, private use and the
invisible ones above; surrogates, which no JSON text can carry, left out), as code point ranges: the schemas'
patterns are built from them. ``tests/test_text_clean.py`` checks them against ``unicodedata``."""
SPACES = r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
"""Every character some regex engine (Python, JSON Schema's ECMA 262, pydantic's) or ``str.strip`` calls a space."""


def _escape(cp: int) -> str:
    return f"\\x{cp:02x}" if cp < 0x100 else f"\\u{cp:04x}" if cp < 0x10000 else f"\\U{cp:08x}"


HIDDEN = "".join(_escape(a) if a == b else f"{_escape(a)}-{_escape(b)}" for a, b in _HIDDEN_RANGES)
"""``_HIDDEN_RANGES`` as the inside of a regex character class."""
VISIBLE = rf"[^{SPACES}{HIDDEN}]"
"""A text that must say something holds a character that is neither white space nor removed by cleaning."""
BLANK_OR_VISIBLE = rf"^[{SPACES}]*$|{VISIBLE}"
"""An optional text: blank (kept as empty), or holding a visible character (else refused as empty once cleaned)."""
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
    # embeddings, overrides and isolates, the byte order mark, soft hyphens); Cs/Co: surrogates, private use.
    # (Unassigned code points are kept: a schema cannot name them, and a reader sees them as a box.)
    return category not in ("Cc", "Cf", "Cs", "Co") or char == "\t"


_REMOVED = re.compile(rf"[{HIDDEN}\x0b\x0c\x1c-\x1f\ud800-\udfff]")
"""The characters ``_keep`` refuses once line breaks are one ``\n`` (a line break itself aside), as one regex: a
character at a time in Python took a twentieth of a cold ingestion. ``tests/test_text_clean.py`` checks the two
agree on every code point."""


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
    kept = _REMOVED.sub("", text)
    kept = _SPACES.sub(" ", kept)
    if multiline:
        kept = _BLANK_LINES.sub("\n\n", "\n".join(line.strip() for line in kept.split("\n")))
    kept = kept.strip()
    if not kept and value.strip():
        raise EmptyText("is empty once invisible and control characters are removed")
    return kept


def hidden_ranges() -> tuple[tuple[int, int], ...]:
    """The code point ranges of ``HIDDEN`` (for the test that derives them from ``unicodedata``)."""
    return _HIDDEN_RANGES


def printable(value: str) -> str:
    """A text that any database stores and any log shows: control characters as ``\\uXXXX`` escapes.

    For what must be kept as it came (the raw line of a rejected record), not cleaned.
    """
    return "".join(
        c if c in "\n\t" or unicodedata.category(c) not in ("Cc", "Cs") else f"\\u{ord(c):04x}" for c in value
    )


__all__ = ["BLANK_OR_VISIBLE", "HIDDEN", "SPACES", "VISIBLE", "EmptyText", "clean_text", "hidden_ranges", "printable"]
