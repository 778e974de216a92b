"""The languages the service reads and writes: the one list, and the default language.

Every package may import ``esco_data``, so the input schemas, the linker, language detection, the concept space,
the notices, the screen and the typeahead all read the list here. The default language is a setting
(``SKILLMATCH_DEFAULT_LANGUAGE``): the wiring passes it to the core, whose parameters default to
``DEFAULT_LANGUAGE`` (also the setting's default) when nothing is passed.
"""

from __future__ import annotations

from enum import StrEnum


class Language(StrEnum):
    """Languages of the service's readers and texts."""

    fr = "fr"
    nl = "nl"
    en = "en"


LANGUAGES: tuple[str, ...] = tuple(language.value for language in Language)
"""The supported languages' codes, in the service's order of preference."""
DEFAULT_LANGUAGE: str = LANGUAGES[0]
"""The language used when nothing says which (a text too short to tell, a record without one)."""


__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "Language"]
