"""Builds a small ESCO release in the official layout from the real shared files (never stored in the repo).

The slice holds a few occupations with all their skills, the ISCO groups above them and the skill groups
above the skills, in every language of the source, with the relation and collection files filtered to match.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, header: list[str], rows: Iterable[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def build_slice(source: Path, target: Path, occupations: Iterable[str]) -> Path:
    """Write a slice of the ESCO release at ``source`` to ``target``.

    Args:
        source: a full ESCO folder in the official layout (per-language folders and ``relations/``).
        target: where to write the slice.
        occupations: URIs of the occupations to keep.

    Returns:
        The target folder.
    """
    occupations = set(occupations)
    rel = source / "relations"
    occ_header, occ_rows = _read(rel / "occupationSkillRelations.csv")
    occ_rows = [r for r in occ_rows if r["occupationUri"] in occupations]
    skills = {r["skillUri"] for r in occ_rows}
    keep = occupations | skills
    broader_files = {}
    for name in ("broaderRelationsOccPillar.csv", "broaderRelationsSkillPillar.csv"):
        broader_files[name] = _read(rel / name)
    # Close the set upwards: ISCO groups above the occupations, skill groups above the skills.
    changed = True
    while changed:
        changed = False
        for _, rows in broader_files.values():
            for r in rows:
                if r["conceptUri"] in keep and r["broaderUri"] not in keep:
                    keep.add(r["broaderUri"])
                    changed = True
    _write(target / "relations" / "occupationSkillRelations.csv", occ_header, occ_rows)
    for name, (header, rows) in broader_files.items():
        _write(
            target / "relations" / name,
            header,
            (r for r in rows if r["conceptUri"] in keep and r["broaderUri"] in keep),
        )
    header, rows = _read(rel / "skillSkillRelations.csv")
    _write(
        target / "relations" / "skillSkillRelations.csv",
        header,
        (r for r in rows if r["originalSkillUri"] in keep and r["relatedSkillUri"] in keep),
    )
    for lang_dir in sorted(p for p in source.iterdir() if p.is_dir() and p.name != "relations"):
        lang = lang_dir.name
        for prefix in ("skills", "occupations", "ISCOGroups", "skillGroups"):
            path = lang_dir / f"{prefix}_{lang}.csv"
            if path.exists():
                header, rows = _read(path)
                _write(target / lang / path.name, header, (r for r in rows if r["conceptUri"] in keep))
        for path in sorted(lang_dir.glob("*Collection_*.csv")):
            header, rows = _read(path)
            _write(target / lang / path.name, header, (r for r in rows if r["conceptUri"] in keep))
    return target


__all__ = ["build_slice"]
