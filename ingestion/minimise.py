"""What the quarantine keeps of a rejected line, and what it shows: the same minimisation as accepted records.

An accepted dossier loses its protected attributes (the structured fields of ``PROTECTED_FIELDS``) before
validation and the sentences of its summary that state one (``screen_self_description``). A rejected line gets
the same before it is stored (``minimise_line``): the quarantine is there to say what was wrong and to fix the
record, neither of which needs a person's gender, age or origin. Contact details (name, e-mail, phone) stay in
the stored line, as they do in an accepted dossier, but every export masks them (``mask_contact``): the API,
the admin page and ``skillmatch quarantine export`` all read the quarantine through
``ingestion.quarantine.export_quarantine``.

A line that is not a JSON object (a broken line, a CSV row that could not be read) is treated as text: a
``"gender": ...`` pair and its kin are cut out, e-mail addresses and phone numbers masked.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ingestion.schemas import PROTECTED_FIELDS
from ingestion.self_screen import screen_self_description

CONTACT_FIELDS = frozenset({"contact", "name", "email", "phone", "first_name", "last_name", "address", "mobile"})
"""Fields whose values exports of the quarantine mask."""
REMOVED = "(removed)"
_SCREENED = frozenset({"summary", "profile", "profile_text", "about"})
"""Free-text fields in which a jobseeker may state a protected attribute in words."""
_PAIR = re.compile(
    r'"\s*(' + "|".join(sorted(map(re.escape, PROTECTED_FIELDS), key=len, reverse=True)) + r')\s*"\s*:\s*'
    r'(?:"(?:[^"\\]|\\.)*"|[^,}\]]*)\s*,?',
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[^\s@\"',;<>]+@[^\s@\"',;<>]+\.[^\s@\"',;<>]+")
_PHONE = re.compile(r"(?<![\w./:-])\+?\d[\d ().-]{6,}\d(?![\w/-])")


def _drop_protected(value: Any, key: str | None = None) -> Any:
    if isinstance(value, dict):
        return {
            k: _drop_protected(v, k)
            for k, v in value.items()
            if not (isinstance(k, str) and k.strip().lower() in PROTECTED_FIELDS)
        }
    if isinstance(value, list):
        return [_drop_protected(v, key) for v in value]
    if isinstance(value, str) and key is not None and key.strip().lower() in _SCREENED:
        return screen_self_description(value).text
    return value


def minimise_data(data: Any) -> Any:
    """A record's data without protected attributes, at any depth, nor the sentences of its free texts that
    state one (the same as an accepted dossier keeps)."""
    return _drop_protected(data)


def minimise_line(raw: str, data: Any = None) -> str:
    """A rejected line as the quarantine stores it.

    Args:
        raw: the line as it came.
        data: the line as parsed, when it could be (a JSON object, a CSV row).

    Returns:
        The parsed data minimised, as JSON; or, for a line that could not be parsed, its text with protected
        ``"key": value`` pairs cut out and e-mail addresses and phone numbers masked.
    """
    if data is None:
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            return _PHONE.sub(REMOVED, _EMAIL.sub(REMOVED, _PAIR.sub("", raw)))
    if not isinstance(data, dict):
        return _PHONE.sub(REMOVED, _EMAIL.sub(REMOVED, _PAIR.sub("", raw)))
    return json.dumps(minimise_data(data), ensure_ascii=False)


def _mask(value: Any, key: str | None = None) -> Any:
    if key is not None and contact_field(key):
        return REMOVED
    if isinstance(value, dict):
        return {k: _mask(v, k if isinstance(k, str) else None) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    if isinstance(value, str):  # contact fields are masked whole above; an address elsewhere (a summary) too
        return _EMAIL.sub(REMOVED, value)
    return value


def contact_field(path: str) -> bool:
    """Whether a field path (``contact.email``, ``consultant_email``) names a contact detail."""
    parts = (p.strip().lower() for p in re.split(r"[.\[\]]", path) if p.strip())
    return any(p in CONTACT_FIELDS or p.endswith(("_email", "_phone")) for p in parts)


HIDDEN = "the value found is not shown: contact details"
"""Said instead of the value a contact field was refused for."""
CONTACT_FORM = "contact_pattern_mismatch"
"""The kind of problem of a contact field whose value has not the expected form (its value never shown)."""
_FOUND = re.compile(r" \(found .*\)$", re.DOTALL)


def mask_reason(field: str, reason: str) -> str:
    """A quarantine reason as exports show it: the value found in a contact field masked."""
    return _FOUND.sub(f" ({HIDDEN})", reason) if contact_field(field) else reason


def mask_error(error: dict[str, Any]) -> dict[str, Any]:
    """A stored quarantine error as exports show it: for a contact field, the value found neither in its reason
    nor in its values (errors stored before validation left it out)."""
    field = str(error.get("field", ""))
    if not contact_field(field):
        return error
    masked = dict(error, reason=mask_reason(field, str(error.get("reason", ""))))
    params = masked.get("params")
    if isinstance(params, dict) and "found" in params:
        masked["params"] = {name: value for name, value in params.items() if name != "found"}
        masked["code"] = CONTACT_FORM
    return masked


def mask_contact(raw: str) -> str:
    """A stored quarantine line as exports show it: minimised again (lines stored before minimisation) and
    contact details masked (names, e-mail addresses, phone numbers)."""
    line = minimise_line(raw)
    try:
        data = json.loads(line)
    except (ValueError, RecursionError):
        return line
    return json.dumps(_mask(data), ensure_ascii=False)


__all__ = [
    "CONTACT_FIELDS",
    "CONTACT_FORM",
    "HIDDEN",
    "REMOVED",
    "contact_field",
    "mask_contact",
    "mask_error",
    "mask_reason",
    "minimise_data",
    "minimise_line",
]
