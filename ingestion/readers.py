"""Readers of batch files: JSON Lines and CSV, one record at a time, never stopping on a bad line.

Each reader yields a ``RawRecord`` per line (or CSV row): the original text, and either the parsed mapping or
the reason it could not be parsed. Validation against the schemas happens later, in the ingestion service.

CSV conventions (a spreadsheet cannot nest): one column per top-level field; a cell that starts with ``[`` or
``{`` is JSON; otherwise list fields are separated by ``;`` (``skills``: ``baking; http://data.europa.eu/...``),
language levels are ``fr:C1; nl:B2``, experiences are ``title:years; title``, booleans are
``true/false/yes/no/1/0``, and an empty cell is an absent field.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingestion.strict_json import DuplicateKey, loads_strict

MAX_LINE = 1_000_000
"""Longest line a reader accepts (characters); a longer one is quarantined, not parsed."""

LIST_FIELDS = frozenset(
    {
        "skills",
        "required_skills",
        "nice_to_have_skills",
        "driving_licences",
        "desired_occupations",
    }
)
LEVEL_FIELDS = frozenset({"languages", "language_requirements"})
BOOL_FIELDS = frozenset({"active"})
_TRUE = {"true", "yes", "1", "oui", "ja"}
_FALSE = {"false", "no", "0", "non", "nee"}


@dataclass(frozen=True)
class RawRecord:
    """One line of a batch file."""

    line: int | None
    raw: str
    data: dict[str, Any] | None
    error: str | None = None
    """Why the line could not be parsed (then ``data`` is None)."""


def read_jsonl(text: str) -> Iterator[RawRecord]:
    """Parse JSON Lines text; blank lines are skipped.

    Args:
        text: the file's content.

    Yields:
        One record per non-blank line, with its 1-based line number.
    """
    # Only "\n" ends a line: JSON allows U+2028 and friends raw inside strings, str.splitlines() does not.
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if len(stripped) > MAX_LINE:
            yield RawRecord(number, stripped[:1000], None, f"line is longer than {MAX_LINE:,} characters")
            continue
        try:
            value = loads_strict(stripped)
        except DuplicateKey as exc:
            yield RawRecord(number, stripped, None, f"invalid JSON: {exc}")
            continue
        except json.JSONDecodeError as exc:
            message = exc.msg.removesuffix(" at")
            yield RawRecord(number, stripped, None, f"invalid JSON: {message} at column {exc.colno}")
            continue
        except RecursionError:
            yield RawRecord(number, stripped, None, "invalid JSON: too deeply nested")
            continue
        except ValueError as exc:  # e.g. an integer of more than 4,300 digits
            yield RawRecord(number, stripped, None, f"invalid JSON: {exc}")
            continue
        if not isinstance(value, dict):
            yield RawRecord(number, stripped, None, f"a record must be a JSON object, not {type(value).__name__}")
            continue
        yield RawRecord(number, stripped, value)


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


def _cell(field: str, cell: str) -> Any:
    cell = cell.strip()
    if cell[:1] in "[{":
        return loads_strict(cell)
    if field in LIST_FIELDS:
        return _split(cell)
    if field in LEVEL_FIELDS:
        levels: dict[str, str] = {}
        for part in _split(cell):
            lang, sep, level = part.partition(":")
            if not sep:
                raise ValueError(f"{field}: expected language:level, found {part!r}")
            levels[lang.strip()] = level.strip()
        return levels
    if field == "experiences":
        items = []
        for part in _split(cell):
            title, sep, years = part.rpartition(":")
            if sep and years.strip().replace(".", "", 1).isdigit():
                items.append({"title": title.strip(), "years": float(years)})
            else:
                items.append({"title": part})
        return items
    if field in BOOL_FIELDS:
        low = cell.lower()
        if low in _TRUE | _FALSE:
            return low in _TRUE
    return cell


def read_csv(text: str) -> Iterator[RawRecord]:
    """Parse CSV text with a header row (comma or semicolon separated).

    Args:
        text: the file's content.

    Yields:
        One record per data row, with the line on which the row starts.
    """
    # The header names the columns and holds no list cell: it alone tells the delimiter.
    header_line = text.split("\n", 1)[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return
    except csv.Error as exc:
        yield RawRecord(1, text[:1000], None, f"broken CSV header: {exc}")
        return
    end = reader.line_num
    while True:
        start = end + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield RawRecord(start, "", None, f"broken CSV: {exc}")
            end = reader.line_num
            continue
        end = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        raw = json.dumps(dict(zip(header, row, strict=False)), ensure_ascii=False)
        if len(row) != len(header):
            yield RawRecord(start, raw, None, f"expected {len(header)} cells as in the header, found {len(row)}")
            continue
        data: dict[str, Any] = {}
        try:
            for field, cell in zip(header, row, strict=True):
                if field and cell.strip():
                    data[field] = _cell(field, cell)
        except (ValueError, RecursionError) as exc:
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
            yield RawRecord(start, raw, None, f"column {field}: {reason}")
            continue
        yield RawRecord(start, raw, data)


def read_file(path: Path) -> Iterator[RawRecord]:
    """Read a batch file by its extension: ``.jsonl``/``.json``/``.ndjson`` or ``.csv``.

    Args:
        path: the file.

    Yields:
        One record per line or row.

    Raises:
        ValueError: the extension is not known.
        OSError: the file cannot be read.
    """
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        yield from read_jsonl(text)
    elif suffix == ".csv":
        yield from read_csv(text)
    else:
        raise ValueError(f"{path.name}: unknown format {suffix!r} (expected .jsonl or .csv)")


__all__ = ["MAX_LINE", "RawRecord", "read_csv", "read_file", "read_jsonl"]
