"""Saved indexes carry a manifest; start-up reuses only what checks out and rebuilds the rest, saying why."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from matching.profiles import ProfileKind, ProfileStore
from matching.ranking import ProfileWriter, open_indexes, save_indexes
from skillmatch.db import make_engine
from skillmatch.runtime import Runtime
from tests.concurrent_load import SliceProfiles, make_writer, rebuilt, top_k
from tests.databases import engine_url


@pytest.fixture
def saved(slice_runtime: Runtime, slice_db: Engine, tmp_path: Path) -> tuple[ProfileWriter, Path]:
    """A writer with 80 jobseekers and 12 vacancies, its indexes saved."""
    writer = make_writer(slice_runtime, slice_db)
    gen = SliceProfiles(slice_runtime.taxonomy, seed=11)
    writer.write([gen.profile(ProfileKind.jobseeker, f"J{i:03d}") for i in range(80)])
    writer.write([gen.profile(ProfileKind.vacancy, f"V{i:03d}") for i in range(12)])
    directory = tmp_path / "indexes"
    save_indexes(writer.engine, directory)
    return writer, directory


def _answers(writer: ProfileWriter) -> dict[str, list[tuple[str, float]]]:
    return top_k(writer.engine, ProfileKind.vacancy, [f"V{i:03d}" for i in range(12)], 10)


def _restart(runtime: Runtime, slice_db: Engine, directory: Path) -> tuple[ProfileWriter, dict[str, str]]:
    writer = make_writer(runtime, slice_db)
    return writer, open_indexes(writer, directory)


def test_intact_indexes_are_reused(slice_runtime: Runtime, slice_db: Engine, saved: tuple[ProfileWriter, Path]) -> None:
    before, directory = saved
    writer, report = _restart(slice_runtime, slice_db, directory)
    assert report == {"jobseeker": "reused", "vacancy": "reused"}
    assert _answers(writer) == _answers(before)


@pytest.mark.parametrize("damage", ["truncate", "flip", "delete"])
@pytest.mark.parametrize("name", ["jobseeker_index/index.faiss", "jobseeker_table.npz", "jobseeker_index/ids.npz"])
def test_a_damaged_file_is_detected_and_its_index_rebuilt(
    slice_runtime: Runtime, slice_db: Engine, saved: tuple[ProfileWriter, Path], damage: str, name: str
) -> None:
    before, directory = saved
    path = directory / name
    data = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "flip":
        middle = len(data) // 2
        path.write_bytes(data[:middle] + bytes(b ^ 0xFF for b in data[middle : middle + 16]) + data[middle + 16 :])
    else:
        path.unlink()
    writer, report = _restart(slice_runtime, slice_db, directory)
    expected = f"{name} is missing" if damage == "delete" else f"{name} does not match its checksum"
    assert report == {"jobseeker": f"rebuilt ({expected})", "vacancy": "reused"}
    assert _answers(writer) == _answers(before)
    assert all(c.ok for c in writer.check())


def test_a_missing_manifest_rebuilds_everything(
    slice_runtime: Runtime, slice_db: Engine, saved: tuple[ProfileWriter, Path]
) -> None:
    before, directory = saved
    (directory / "manifest.json").unlink()
    writer, report = _restart(slice_runtime, slice_db, directory)
    assert report == {"jobseeker": "rebuilt (no saved index)", "vacancy": "rebuilt (no saved index)"}
    assert _answers(writer) == _answers(before)


def test_an_index_behind_the_database_catches_up(
    slice_runtime: Runtime, slice_db: Engine, saved: tuple[ProfileWriter, Path]
) -> None:
    before, directory = saved
    gen = SliceProfiles(slice_runtime.taxonomy, seed=12)
    before.write([gen.profile(ProfileKind.jobseeker, f"J{i:03d}") for i in range(70, 90)])  # 10 updated, 10 new
    before.delete(ProfileKind.jobseeker, ["J000"])
    writer, report = _restart(slice_runtime, slice_db, directory)
    assert report == {"jobseeker": "reused, caught up 21 changes", "vacancy": "reused"}
    assert (
        _answers(writer)
        == _answers(before)
        == top_k(rebuilt(before.engine, before.store), ProfileKind.vacancy, [f"V{i:03d}" for i in range(12)], 10)
    )


def test_an_index_newer_than_the_database_is_rebuilt(
    slice_runtime: Runtime, slice_db: Engine, saved: tuple[ProfileWriter, Path]
) -> None:
    _, directory = saved
    other = make_engine(engine_url(slice_db))  # same database, restored to an older state:
    with other.begin() as conn:
        conn.exec_driver_sql("UPDATE profile_generation SET generation = 0")
        conn.exec_driver_sql("DELETE FROM profile")
    writer, report = _restart(slice_runtime, other, directory)
    assert report == {
        "jobseeker": "rebuilt (the saved index is newer than the database)",
        "vacancy": "rebuilt (the saved index is newer than the database)",
    }
    assert writer.engine.stats()["jobseeker"]["indexed"] == 0


def test_indexes_that_fail_the_check_are_not_saved(fresh_runtime: Runtime) -> None:
    gen = SliceProfiles(fresh_runtime.taxonomy, seed=13)
    fresh_runtime.writer.write([gen.profile(ProfileKind.jobseeker, f"J{i}") for i in range(5)])
    assert fresh_runtime.save()
    saved_manifest = (fresh_runtime.index_dir / "manifest.json").read_text()
    # Another process writes; this one has not caught up: its indexes are behind and must not be saved.
    ProfileStore(fresh_runtime.db).upsert([gen.profile(ProfileKind.jobseeker, "J-OTHER")])
    assert not fresh_runtime.save()
    assert (fresh_runtime.index_dir / "manifest.json").read_text() == saved_manifest
    fresh_runtime.writer.catch_up()
    assert fresh_runtime.save()
    assert "J-OTHER" in fresh_runtime.engine.tables[ProfileKind.jobseeker].row_of
