"""Adapters from other record layouts to the ingestion schemas.

``matching-dev``: the layout of ../shared/eval/matching-dev (skills as ``{"esco": [...], "text": [...]}``,
``experience`` instead of ``experiences``, ``language`` instead of ``preferred_language``).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any


class RecordFormat(StrEnum):
    """Layouts that batch files may use."""

    native = "native"
    matching_dev = "matching-dev"


def _skills(value: Any, source_uri: str = "dossier", source_text: str = "free_text") -> Any:
    if not isinstance(value, dict):
        return value
    items: list[Any] = [{"uri": uri, "source": source_uri} for uri in value.get("esco") or []]
    items += [{"text": text, "source": source_text} for text in value.get("text") or []]
    return items


def matching_dev_jobseeker(record: dict[str, Any]) -> dict[str, Any]:
    """Map a matching-dev jobseeker to the native layout; unknown fields pass through."""
    out = dict(record)
    if "language" in out and "preferred_language" not in out:
        out["preferred_language"] = out.pop("language")
    if "experience" in out and "experiences" not in out:
        out["experiences"] = out.pop("experience")
    if "skills" in out:
        out["skills"] = _skills(out["skills"])
    return out


def matching_dev_vacancy(record: dict[str, Any]) -> dict[str, Any]:
    """Map a matching-dev vacancy to the native layout; unknown fields pass through."""
    out = dict(record)
    for key in ("required_skills", "nice_to_have_skills"):
        if key in out:
            out[key] = _skills(out[key], source_uri="structured", source_text="free_text")
    return out


def _identity(record: dict[str, Any]) -> dict[str, Any]:
    return record


def adapter(kind: str, fmt: RecordFormat) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The function that maps a record of a layout to the native one.

    Args:
        kind: ``jobseeker`` or ``vacancy``.
        fmt: the layout of the records.
    """
    if fmt is RecordFormat.native:
        return _identity
    return matching_dev_jobseeker if kind == "jobseeker" else matching_dev_vacancy


__all__ = ["RecordFormat", "adapter", "matching_dev_jobseeker", "matching_dev_vacancy"]
