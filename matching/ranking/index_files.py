"""Saving and loading the engine's indexes, with a manifest that says what they hold and lets start-up check it.

The manifest records, per kind, the store generation the index reflects and its counts, the SHA-256 of every
file, and what the indexes were built with (format, concept space, weights, index type, source database). A
saved index is reused only when all of that checks out; a missing, stale or corrupt one is rebuilt, and start-up
says which.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from matching.atomic import atomic_dir
from matching.errors import IndexFilesInvalid
from matching.profiles import ProfileKind
from matching.ranking.engine import KindState, MatchingEngine
from matching.ranking.index import ProfileIndex
from matching.ranking.table import FeatureTable
from matching.ranking.writer import ProfileWriter

MANIFEST = "manifest.json"


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes (hex), read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _files(directory: Path) -> dict[str, str]:
    return {
        str(p.relative_to(directory)): file_sha256(p)
        for p in sorted(directory.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }


def save_indexes(engine: MatchingEngine, directory: Path, states: dict[ProfileKind, KindState] | None = None) -> None:
    """Write every kind's table and index atomically, with a manifest of generations, counts and checksums.

    Args:
        engine: the engine (what the indexes were built with goes into the manifest).
        directory: the folder, replaced as a whole.
        states: the states to write (default: the engine's current ones, read as one consistent view).
    """
    if states is None:
        with engine.reading() as current:
            save_indexes(engine, directory, dict(current))
        return
    with atomic_dir(directory) as tmp:
        kinds: dict[str, Any] = {}
        for kind, state in states.items():
            state.table.save(tmp / f"{kind.value}_table.npz")
            state.index.save(tmp / f"{kind.value}_index")
            kinds[kind.value] = {
                "generation": state.generation,
                "profiles": state.table.alive_count,
                "indexed": state.indexed,
            }
        manifest = engine.fingerprint() | {
            "saved_at": datetime.now(UTC).isoformat(),
            "kinds": kinds,
            "files": _files(tmp),
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2))


@dataclass
class LoadedKind:
    """One kind read back from disk, or why it could not be."""

    kind: ProfileKind
    state: KindState | None
    problem: str | None = None


def load_indexes(engine: MatchingEngine, directory: Path) -> dict[ProfileKind, LoadedKind]:
    """Read saved tables and indexes, checking them against their manifest; nothing is published.

    Args:
        engine: the engine they must have been built for.
        directory: the folder ``save_indexes`` wrote.

    Returns:
        Per kind, the state read back (with the generation it reflects), or the problem found: missing,
        built for something else, a file missing or changed (truncated, bytes flipped), or unreadable.
    """

    def failed(problem: str) -> dict[ProfileKind, LoadedKind]:
        return {kind: LoadedKind(kind, None, problem) for kind in ProfileKind}

    path = directory / MANIFEST
    if not path.exists():
        return failed("no saved index")
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        return failed(f"unreadable manifest ({exc.__class__.__name__})")
    wanted = engine.fingerprint()
    different = sorted(key for key in wanted if manifest.get(key) != wanted[key])
    if different:
        return failed(f"built for another {', '.join(different)}")
    files: dict[str, str] = manifest.get("files", {})
    out: dict[ProfileKind, LoadedKind] = {}
    for kind in ProfileKind:
        out[kind] = _load_kind(engine, directory, kind, manifest.get("kinds", {}).get(kind.value), files)
    return out


def _load_kind(
    engine: MatchingEngine, directory: Path, kind: ProfileKind, recorded: dict[str, Any] | None, files: dict[str, str]
) -> LoadedKind:
    if recorded is None:
        return LoadedKind(kind, None, "not in the manifest")
    own = {name: digest for name, digest in files.items() if name.startswith(f"{kind.value}_")}
    for name, digest in own.items():
        file = directory / name
        if not file.exists():
            return LoadedKind(kind, None, f"{name} is missing")
        if file_sha256(file) != digest:
            return LoadedKind(kind, None, f"{name} does not match its checksum")
    try:
        table = FeatureTable.load(directory / f"{kind.value}_table.npz", engine.space)
        index = ProfileIndex.load(directory / f"{kind.value}_index")
    except Exception as exc:  # noqa: BLE001 - any unreadable file means: rebuild
        return LoadedKind(kind, None, f"unreadable ({exc.__class__.__name__})")
    state = KindState(table, index, int(recorded.get("generation", 0)))
    if state.table.alive_count != recorded.get("profiles") or state.indexed != recorded.get("indexed"):
        return LoadedKind(kind, None, "counts differ from the manifest")
    return LoadedKind(kind, state)


def read_manifest(directory: Path) -> dict[str, Any] | None:
    """The manifest of saved indexes, or None."""
    path = directory / MANIFEST
    if not path.exists():
        return None
    try:
        data: dict[str, Any] = json.loads(path.read_text())
    except ValueError as exc:
        raise IndexFilesInvalid(f"unreadable manifest in {directory}") from exc
    return data


def open_indexes(writer: ProfileWriter, directory: Path) -> dict[str, str]:
    """Reuse the saved indexes that check out against the store; rebuild the others, and say which.

    A saved index of the same build is reused when its files match their checksums and its generation is not
    ahead of the store's; one that is behind catches up with the rows written since. Anything else (missing,
    another build, a changed or unreadable file, newer than the store, counts that differ from the store) is
    rebuilt from the store.

    Args:
        writer: the writer (its store and engine).
        directory: where the indexes were saved.

    Returns:
        Per kind, what happened: ``reused``, ``reused, caught up N changes`` or ``rebuilt (reason)``.
    """
    engine, store = writer.engine, writer.store
    report: dict[str, str] = {}
    for kind, loaded in load_indexes(engine, directory).items():
        problem = loaded.problem
        if loaded.state is not None and loaded.state.generation > store.generation(kind):
            problem = "the saved index is newer than the database"
        if loaded.state is None or problem is not None:
            writer.rebuild(kind)
            report[kind.value] = f"rebuilt ({problem})"
            continue
        engine.replace(kind, loaded.state)
        caught_up = writer.catch_up_kind(kind)
        check = next(c for c in writer.check() if c.kind is kind)
        if not check.ok:
            writer.rebuild(kind)
            report[kind.value] = f"rebuilt ({'; '.join(check.reasons)})"
        else:
            report[kind.value] = f"reused, caught up {caught_up} changes" if caught_up else "reused"
    return report


__all__ = ["LoadedKind", "file_sha256", "load_indexes", "open_indexes", "read_manifest", "save_indexes"]
