"""Locating the files of an ESCO release: a folder in the official CSV layout, an official zip, or a folder
holding several official zips (one per language)."""

from __future__ import annotations

import hashlib
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from esco_data.errors import EscoSourceNotFound

_LANG = r"(?P<lang>[a-z]{2})"
# Per-language files: <kind>_<lang>.csv. Relation files: language-independent (relations/ folder) or
# carried by a per-language download as <kind>_<lang>.csv with extra label columns.
CONCEPT_FILES = {
    "skills": re.compile(rf"^skills_{_LANG}\.csv$"),
    "occupations": re.compile(rf"^occupations_{_LANG}\.csv$"),
    "isco_groups": re.compile(rf"^ISCOGroups_{_LANG}\.csv$"),
    "skill_groups": re.compile(rf"^skillGroups_{_LANG}\.csv$"),
}
RELATION_FILES = {
    "occupation_skill": re.compile(rf"^occupationSkillRelations(?:_{_LANG})?\.csv$"),
    "skill_skill": re.compile(rf"^skillSkillRelations(?:_{_LANG})?\.csv$"),
    "broader_occupation": re.compile(rf"^broaderRelationsOccPillar(?:_{_LANG})?\.csv$"),
    "broader_skill": re.compile(rf"^broaderRelationsSkillPillar(?:_{_LANG})?\.csv$"),
}
COLLECTION_FILE = re.compile(rf"^(?P<name>[A-Za-z]+)Collection_{_LANG}\.csv$")
REQUIRED = ("skills", "occupations", "occupation_skill")
_VERSION = re.compile(r"v(\d+(?:\.\d+)+)", re.IGNORECASE)


@dataclass
class SourceFile:
    """One CSV file of the release, in a folder or inside a zip."""

    name: str
    """Where the file is, for messages: a path relative to the source, or ``archive.zip!member``."""
    basename: str
    _read: Callable[[], bytes] = field(repr=False)
    _data: bytes | None = field(default=None, repr=False)

    def read(self) -> bytes:
        """The file's bytes (read once, then kept)."""
        if self._data is None:
            self._data = self._read()
        return self._data


@dataclass
class EscoSource:
    """The files of one ESCO release, by role."""

    path: Path
    version: str
    concept_files: dict[str, dict[str, SourceFile]]
    """kind -> language -> file."""
    relation_files: dict[str, SourceFile]
    collection_files: dict[str, list[SourceFile]]
    """collection name -> its files (one per language; membership is the same in each)."""

    @property
    def languages(self) -> list[str]:
        """Languages that have a skills or occupations file, sorted."""
        langs = set(self.concept_files.get("skills", {})) | set(self.concept_files.get("occupations", {}))
        return sorted(langs)

    def all_files(self) -> list[SourceFile]:
        """Every file this release uses, in a stable order."""
        files = [f for by_lang in self.concept_files.values() for f in by_lang.values()]
        files += list(self.relation_files.values())
        files += [f for group in self.collection_files.values() for f in group]
        return sorted(files, key=lambda f: f.basename)

    def checksum(self) -> str:
        """SHA-256 over the names and bytes of every file used, in a stable order."""
        digest = hashlib.sha256()
        for f in self.all_files():
            digest.update(f.basename.encode())
            digest.update(b"\0")
            digest.update(f.read())
        return digest.hexdigest()


def _collection_name(prefix: str) -> str:
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", prefix).lower()
    return snake.removesuffix("_skills") or snake


def _candidates(path: Path) -> list[SourceFile]:
    files: list[SourceFile] = []

    def add_zip(archive: Path, label: str) -> None:
        try:
            zf = zipfile.ZipFile(archive)
        except zipfile.BadZipFile as exc:
            raise EscoSourceNotFound(f"{archive}: not a readable zip file ({exc})") from exc
        for member in zf.namelist():
            if member.endswith(".csv"):
                files.append(SourceFile(f"{label}!{member}", Path(member).name, partial(zf.read, member)))

    if path.is_file():
        add_zip(path, path.name)
        return files
    for item in sorted(path.rglob("*")):
        if item.suffix == ".csv" and item.is_file():
            files.append(SourceFile(str(item.relative_to(path)), item.name, item.read_bytes))
        elif item.suffix == ".zip" and item.is_file():
            add_zip(item, str(item.relative_to(path)))
    return files


def open_source(path: Path, version: str | None = None) -> EscoSource:
    """Find the files of an ESCO release.

    Args:
        path: a folder in the official CSV layout (per-language folders plus ``relations/``), an official
            zip download, or a folder of such zips.
        version: the ESCO version; by default read from the path (e.g. ``v1.1.1``), since the files do
            not state it.

    Returns:
        The release's files by role.

    Raises:
        EscoSourceNotFound: the path does not exist, or lacks skills, occupations or occupation-skill
            relations.
    """
    path = Path(path)
    if not path.exists():
        raise EscoSourceNotFound(f"ESCO source not found: {path} does not exist")
    concept_files: dict[str, dict[str, SourceFile]] = {}
    relation_files: dict[str, tuple[int, SourceFile]] = {}
    collection_files: dict[str, list[SourceFile]] = {}
    candidates = _candidates(path)
    for f in candidates:
        for kind, pattern in CONCEPT_FILES.items():
            if m := pattern.match(f.basename):
                concept_files.setdefault(kind, {}).setdefault(m["lang"], f)
        for kind, pattern in RELATION_FILES.items():
            if m := pattern.match(f.basename):
                # Prefer the language-independent file, then English, then any other language.
                lang = m["lang"]
                rank = 0 if lang is None else 1 if lang == "en" else 2
                if kind not in relation_files or rank < relation_files[kind][0]:
                    relation_files[kind] = (rank, f)
        if m := COLLECTION_FILE.match(f.basename):
            collection_files.setdefault(_collection_name(m["name"]), []).append(f)
    found = set(concept_files) | set(relation_files)
    missing = [kind for kind in REQUIRED if kind not in found]
    if missing:
        raise EscoSourceNotFound(
            f"{path} is not an ESCO release in the official CSV layout: no file for "
            + ", ".join(missing)
            + " (expected e.g. skills_en.csv, occupations_en.csv, occupationSkillRelations.csv)"
        )
    if version is None:
        names = [str(path.resolve())] + [f.name for f in candidates]
        match = next((m for name in names if (m := _VERSION.search(name))), None)
        version = f"v{match.group(1)}" if match else "unknown"
    return EscoSource(
        path=path,
        version=version,
        concept_files=concept_files,
        relation_files={kind: f for kind, (_, f) in relation_files.items()},
        collection_files=collection_files,
    )


__all__ = ["EscoSource", "SourceFile", "open_source"]
