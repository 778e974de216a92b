"""CSV for spreadsheets, with formula injection neutralised: every export that writes CSV goes through here.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a formula by Excel and
LibreOffice (``=HYPERLINK(...)``, ``=cmd|...``). Rejected records keep their original text, which anyone could
have written, so such a cell is prefixed with an apostrophe: the spreadsheet shows the text and runs nothing.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_cell(value: Any) -> str:
    """One value as a CSV cell that no spreadsheet runs as a formula.

    Args:
        value: any value; lists and mappings become JSON, None an empty cell.

    Returns:
        The cell's text, prefixed with ``'`` when it would start a formula.
    """
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return str(value)  # numbers (negative ones too) are data, not formulas
    text = json.dumps(value, ensure_ascii=False, default=str) if isinstance(value, list | dict) else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """Rows as CSV text with a header, every cell through ``safe_cell``.

    Args:
        rows: the rows (missing columns are empty cells).
        columns: the header, in order.

    Returns:
        The CSV text (``\\r\\n`` line ends, as RFC 4180 says).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(c) for c in columns])
    for row in rows:
        writer.writerow([safe_cell(row.get(c)) for c in columns])
    return buffer.getvalue()


__all__ = ["safe_cell", "to_csv"]
