"""Numbers, distances, durations and dates as a French or Dutch reader writes them (``4,5 ans``, ``1 234``,
``9 km``, ``5 déc. 2026``), for the pages' templates."""

from __future__ import annotations

from datetime import date, datetime

THOUSANDS = {"fr": "\u202f", "nl": "."}
"""The thousands separator of each language (a narrow no-break space in French)."""

MONTHS = {
    "fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."),
    "nl": ("jan.", "feb.", "mrt.", "apr.", "mei", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "dec."),
}


def number(value: float | int | None, lang: str, digits: int = 0) -> str:
    """A number with the language's decimal comma and thousands separator (``–`` for none).

    Args:
        value: the number.
        lang: ``fr`` or ``nl``.
        digits: decimals shown.
    """
    if value is None:
        return "–"
    text = f"{float(value):,.{digits}f}" if digits else f"{round(float(value)):,d}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", THOUSANDS.get(lang, "\u202f"))


def short(value: float | int | None, lang: str) -> str:
    """A number with at most one decimal, none when it is whole (``4``, ``2,5``)."""
    if value is None:
        return "–"
    rounded = round(float(value), 1)
    return number(rounded, lang, 0 if rounded.is_integer() else 1)


def km(value: float | int | None, lang: str) -> str:
    """A distance in kilometres: whole from 10 km, one decimal below (``9 km``, ``2,5 km``)."""
    if value is None:
        return "–"
    return f"{number(value, lang) if float(value) >= 10 else short(value, lang)}\u00a0km"


def day(value: date | datetime | str | None, lang: str) -> str:
    """A date as ``5 déc. 2026`` / ``5 dec. 2026`` (ISO text is read first)."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    months = MONTHS.get(lang, MONTHS["fr"])
    return f"{value.day}\u00a0{months[value.month - 1]} {value.year}"


def moment(value: datetime | str | None, lang: str) -> str:
    """A date and time as ``5 déc. 2026, 23:24`` (ISO text is read first; UTC as stored)."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return f"{day(value, lang)}, {value:%H:%M}"


class Formats:
    """The formats of one language, as the templates call them: ``f.num(x)``, ``f.km(x)``, ``f.day(d)`` ..."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def num(self, value: float | int | None, digits: int = 0) -> str:
        """See ``number``."""
        return number(value, self.lang, digits)

    def short(self, value: float | int | None) -> str:
        """See ``short``."""
        return short(value, self.lang)

    def km(self, value: float | int | None) -> str:
        """See ``km``."""
        return km(value, self.lang)

    def day(self, value: date | datetime | str | None) -> str:
        """See ``day``."""
        return day(value, self.lang)

    def moment(self, value: datetime | str | None) -> str:
        """See ``moment``."""
        return moment(value, self.lang)

    def pct(self, value: float | None) -> str:
        """A share as a whole percentage (``27 %``)."""
        return "–" if value is None else f"{number(float(value) * 100, self.lang)}\u00a0%"


__all__ = ["MONTHS", "THOUSANDS", "Formats", "day", "km", "moment", "number", "short"]
