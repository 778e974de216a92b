"""Language detection among the supported languages (lingua: its models ship inside the package)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from esco_data import LANGUAGES

WARM_TEXT = "Bonjour, je cherche un emploi de boulanger."
"""A text whose detection loads every model of the detector (lingua loads all of them at the first text)."""


@lru_cache(maxsize=1)
def _detector() -> Any:
    """The detector, its models loaded.

    They are loaded by a first detection rather than lingua's preloading, which loads them from a pool of threads
    that stays: a process without those threads can fork workers that share the models (``preload``).
    """
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in LANGUAGES]
    detector = LanguageDetectorBuilder.from_languages(*languages).build()
    detector.compute_language_confidence_values(WARM_TEXT)
    return detector


def preload() -> None:
    """Load the detector's models now (about 120 MB, never written after loading).

    A process that loads them and then forks shares them with its children (``skillmatch.worker_preload``).
    """
    _detector()


def detect_language(text: str, *, min_confidence: float = 0.5) -> str | None:
    """The language of a text among the supported ones (``esco_data.LANGUAGES``).

    Args:
        text: the text (a single word is often ambiguous).
        min_confidence: below this confidence, say nothing.

    Returns:
        A language's code, or None when the text is empty or the detector is unsure.
    """
    if not any(ch.isalpha() for ch in text):
        return None
    values = _detector().compute_language_confidence_values(text)
    if not values or values[0].value < min_confidence:
        return None
    code: str = values[0].language.iso_code_639_1.name.lower()
    return code


__all__ = ["WARM_TEXT", "detect_language", "preload"]
