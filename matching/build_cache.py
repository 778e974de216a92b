"""A build cache shared by data directories: what ``esco load`` builds once for an ESCO release and a model.

The concept space with its linker indexes (``concept_space/``, minutes of CPU to build) and the pages' typeahead
index (``typeahead/``) depend on nothing but the ESCO release and the sentence encoder. A new data directory
(another clone, a test host, a second service on one machine) over the same release and model takes them from
the cache instead of building them again: one entry per (release checksum, model), its files hard-linked into
the data directory (copied where the cache is on another file system).

Sharing files is safe because nothing writes a stored file in place: every part is written beside its target
and renamed over it (``matching.atomic``), which gives the data directory a file of its own and leaves the
cache's as it was. An adopted part is checked as a built one is, by its own manifest: a part of an older format
is rebuilt, and a damaged one too. ``esco load`` publishes what it has built, and a start's warm-up what it
builds after (the linker's first-use parts, the skill labels' word vectors); the two newest entries are kept.
The cache holds what ESCO and the code give, nothing of any record; it is the user's own, as the data directory
is (created private, in the user's cache folder by default), since a data directory reads pickles from it.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import time
from pathlib import Path
from typing import Any

from matching.atomic import atomic_dir

PARTS = ("concept_space", "typeahead")
"""The folders of a data directory that the cache holds."""
KEPT_ENTRIES = 2
"""Entries kept (the newest): the release and model in use, and the one before an upgrade."""
_COMPLETE = "entry.json"
"""Written last into an entry: what it was built for and which parts it holds."""

log = logging.getLogger(__name__)


def entry_name(manifest: dict[str, Any]) -> str:
    """The cache entry of a concept space manifest: its release checksum and model (``model_id``, ``dim``)."""
    model = re.sub(r"[^A-Za-z0-9._-]+", "_", str(manifest["model_id"]))[:80]
    return f"{str(manifest['esco_checksum'])[:16]}-{model}-{int(manifest['dim'])}"


def _same_build(manifest_path: Path, wanted: dict[str, Any]) -> bool:
    try:
        stored = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(stored, dict) and all(stored.get(key) == value for key, value in wanted.items())


def _link_tree(source: Path, target: Path) -> None:
    """Fill ``target`` with the files of ``source`` (sub-folders too): hard links, or copies across file systems."""
    for path in sorted(source.rglob("*")):
        if path.name.startswith("."):
            continue  # a part being written by another process
        destination = target / path.relative_to(source)
        if path.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, destination)
        except OSError:
            shutil.copy2(path, destination)


def adopt(cache_dir: Path | None, data_dir: Path, wanted: dict[str, Any]) -> list[str]:
    """Take from the cache the parts a data directory lacks for this release and model.

    The concept space is taken when the data directory's is missing or of another build (``wanted``, a concept
    space manifest, says which); the typeahead index when the data directory has none. Callers hold the data
    directory's build lock.

    Args:
        cache_dir: the build cache, or None (no cache).
        data_dir: the data directory.
        wanted: the manifest of the concept space the data directory needs.

    Returns:
        The parts taken (none when the cache has no complete entry for this build).
    """
    if cache_dir is None:
        return []
    entry = cache_dir / entry_name(wanted)
    if not (entry / _COMPLETE).is_file() or not _same_build(entry / "concept_space" / "manifest.json", wanted):
        return []
    try:
        sizes = json.loads((entry / _COMPLETE).read_text(encoding="utf-8"))["sizes"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    taken = []
    for part in PARTS:
        source, target = entry / part, data_dir / part
        if not source.is_dir() or not _intact(entry, part, sizes):
            continue
        if part == "concept_space" and _same_build(target / "manifest.json", wanted):
            continue
        if part != "concept_space" and (target / "manifest.json").is_file():
            continue
        started = time.perf_counter()
        try:
            with atomic_dir(target) as tmp:
                _link_tree(source, tmp)
        except OSError as exc:  # the cache is a shortcut: the data directory builds the part instead
            log.warning("%s could not be taken from the build cache %s (%s): building it", part, entry, exc)
            continue
        taken.append(part)
        log.info("%s taken from the build cache %s in %.1f s", part, entry, time.perf_counter() - started)
    return taken


def _intact(entry: Path, part: str, sizes: dict[str, int]) -> bool:
    """Whether a part of an entry has the files it was published with, at their sizes (a file cut short or
    removed since would only move a failure from one data directory to the next)."""
    listed = {name: size for name, size in sizes.items() if name.startswith(f"{part}/")}
    present = {str(p.relative_to(entry)): p.stat().st_size for p in (entry / part).rglob("*") if p.is_file()}
    return bool(listed) and listed == present


def publish(cache_dir: Path | None, data_dir: Path) -> bool:
    """Put a data directory's built parts in the cache (unless an entry holds that build already).

    Args:
        cache_dir: the build cache, or None (no cache).
        data_dir: the data directory, its concept space built.

    Returns:
        Whether an entry was written (not when the cache cannot be written: a warning is logged, nothing fails).
    """
    try:
        return _publish(cache_dir, data_dir)
    except OSError as exc:
        log.warning("the build could not be kept in the build cache %s (%s)", cache_dir, exc)
        return False


def _publish(cache_dir: Path | None, data_dir: Path) -> bool:
    manifest_path = data_dir / "concept_space" / "manifest.json"
    if cache_dir is None or not manifest_path.is_file():
        return False
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    entry = cache_dir / entry_name(manifest)
    parts = [part for part in PARTS if (data_dir / part / "manifest.json").is_file()]
    if _holds(entry, manifest, parts, data_dir):
        return False
    cache_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    with atomic_dir(entry) as tmp:
        for part in parts:
            _link_tree(data_dir / part, tmp / part)
        sizes = {str(p.relative_to(tmp)): p.stat().st_size for p in sorted(tmp.rglob("*")) if p.is_file()}
        (tmp / _COMPLETE).write_text(
            json.dumps({"manifest": manifest, "parts": parts, "sizes": sizes}), encoding="utf-8"
        )
    _prune(cache_dir)
    return True


_KEYS = {
    "concept_space": (
        "manifest.json",
        "linker.json",
        "related.json",
        "occupation_docs.json",
        "linker_first_use.json",
        "skill_head_words.json",
    ),
    "typeahead": ("manifest.json",),
}
"""The manifests of each part's pieces: an entry holds a data directory's build when they are the same files."""


def _holds(entry: Path, manifest: dict[str, Any], parts: list[str], data_dir: Path) -> bool:
    """Whether a cache entry holds these parts of this build: the same manifest for each piece of each part."""
    try:
        held = json.loads((entry / _COMPLETE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if held.get("manifest") != manifest or not set(parts) <= set(held.get("parts", [])):
        return False
    for part in parts:
        for name in _KEYS[part]:
            ours, theirs = data_dir / part / name, entry / part / name
            if ours.is_file() and (not theirs.is_file() or ours.read_bytes() != theirs.read_bytes()):
                return False
    return True


def _prune(cache_dir: Path) -> None:
    """Remove all but the ``KEPT_ENTRIES`` newest complete entries."""
    entries = [p for p in cache_dir.iterdir() if p.is_dir() and (p / _COMPLETE).is_file()]
    entries.sort(key=lambda p: (p / _COMPLETE).stat().st_mtime, reverse=True)
    for old in entries[KEPT_ENTRIES:]:
        shutil.rmtree(old, ignore_errors=True)


__all__ = ["KEPT_ENTRIES", "PARTS", "adopt", "entry_name", "publish"]
