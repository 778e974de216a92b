"""The build cache shared by data directories (``matching.build_cache``): a second data directory over the same
ESCO release and model takes the concept space and the typeahead index from it instead of building them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from matching.atomic import atomic_file
from matching.build_cache import adopt, publish
from matching.resources import wait_for_warm_ups
from skillmatch.cli import app
from skillmatch.settings import get_settings

runner = CliRunner()


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A build cache of the test's own (the test session runs with none)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("SKILLMATCH_BUILD_CACHE_DIR", str(folder))
    yield folder
    get_settings.cache_clear()


def _esco_load(data_dir: Path, esco_dir: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SKILLMATCH_DATA_DIR", str(data_dir))
    get_settings.cache_clear()
    result = runner.invoke(app, ["esco", "load", "--esco-dir", str(esco_dir)])
    assert result.exit_code == 0, result.output
    assert wait_for_warm_ups(timeout=120)  # the start-up's warm-up (in this process) publishes what it built
    return result.output


def test_a_second_data_directory_takes_the_build_from_the_cache_and_a_damaged_entry_is_not_taken(
    cache: Path, esco_slice_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _esco_load(tmp_path / "first", esco_slice_dir, monkeypatch)
    assert "Concept space built" in first and "kept in the build cache" in first
    (entry,) = [p for p in cache.iterdir() if p.is_dir()]

    second = _esco_load(tmp_path / "second", esco_slice_dir, monkeypatch)
    assert "Concept space reused" in second and "linker indexes reused" in second, second
    assert "Taken from the build cache" in second and "concept_space, typeahead" in second
    assert "kept in the build cache" not in second  # the entry holds this build already
    # The skill labels' word vectors, built by the first start's warm-up after `esco load` had published the
    # concept space, are in the cache too: the second data directory takes them instead of encoding them again.
    assert (entry / "concept_space" / "skill_head_words.npy").is_file()
    for name in (
        "concept_space/label_vectors.npy",
        "concept_space/dense_skill.faiss",
        "typeahead/manifest.json",
        "concept_space/skill_head_words.npy",
        "concept_space/linker_first_use.pkl",
    ):
        theirs, ours = (tmp_path / "first" / name).stat(), (tmp_path / "second" / name).stat()
        assert (theirs.st_ino, theirs.st_dev) == (ours.st_ino, ours.st_dev), name  # one file on disk, not a copy

    # A data directory that writes a part again gets a file of its own: the cache's stays as it was.
    related = tmp_path / "second" / "concept_space" / "related.json"
    kept = (entry / "concept_space" / "related.json").read_bytes()
    atomic_file(related, lambda tmp: tmp.write_text(json.dumps({"rewritten": True})))
    assert (entry / "concept_space" / "related.json").read_bytes() == kept

    # The entry's copy of a file cut short (the data directories keep theirs): that part is not taken (the
    # sound one is), and a data directory without a concept space builds its own.
    vectors = entry / "concept_space" / "label_vectors.npy"
    atomic_file(vectors, lambda tmp: tmp.write_bytes(vectors.read_bytes()[: vectors.stat().st_size // 2]))
    wanted = json.loads((tmp_path / "first" / "concept_space" / "manifest.json").read_text(encoding="utf-8"))
    assert adopt(cache, tmp_path / "third", wanted) == ["typeahead"]
    assert not (tmp_path / "third" / "concept_space").exists()
    assert adopt(cache, tmp_path / "fourth", wanted | {"model_id": "another-model"}) == []

    # A cache that cannot be written fails nothing: the build is simply not kept.
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    assert publish(blocked, tmp_path / "second") is False


def test_two_writers_of_one_file_each_write_a_whole_file(tmp_path: Path) -> None:
    # A second writer that starts while the first one writes (another process building the same part) writes a
    # temporary file of its own: each rename puts a whole file in place, and the last one stays.
    target = tmp_path / "part.bin"

    def first(tmp: Path) -> None:
        tmp.write_bytes(b"first " * 1000)
        atomic_file(target, lambda other: other.write_bytes(b"second"))
        assert target.read_bytes() == b"second"

    atomic_file(target, first)
    assert target.read_bytes() == b"first " * 1000
    assert [p.name for p in tmp_path.iterdir()] == ["part.bin"]  # no temporary file left
