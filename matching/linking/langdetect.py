"""Language detection among the supported languages (lingua: its models ship inside the package)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from esco_data import LANGUAGES


@lru_cache(maxsize=1)
def _detector() -> Any:
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in LANGUAGES]
    return LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()


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


__all__ = ["detect_language"]
