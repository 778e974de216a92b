"""JSON parsing that refuses what ``json.loads`` lets through silently: a key given twice in one object.

With ``json.loads`` the last of two equal keys wins, so ``{"id": "A", "id": "B"}`` is read as B and a reviewer of
the raw text sees A. Request bodies and JSON Lines imports are parsed here instead.
"""

from __future__ import annotations

import json
from typing import Any


class DuplicateKey(ValueError):
    """A JSON object names the same key twice."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(f"the key {key!r} appears twice in one object")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise DuplicateKey(key)
        out[key] = value
    return out


def loads_strict(text: str | bytes) -> Any:
    """Parse JSON, refusing duplicate keys.

    Args:
        text: a JSON document.

    Returns:
        The parsed value.

    Raises:
        DuplicateKey: an object names a key twice.
        json.JSONDecodeError: the text is not JSON.
    """
    return json.loads(text, object_pairs_hook=_no_duplicates)


__all__ = ["DuplicateKey", "loads_strict"]
