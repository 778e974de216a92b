"""Loading ESCO: counts on the real release, idempotence, all-or-nothing, clear errors on broken copies."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from esco_data import EscoFormatError, EscoSourceNotFound, LoadReport, current_release, load_esco
from esco_data.models import ESCO_TABLES
from tests.esco_uris import BAKER


def _row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in ESCO_TABLES}


def _copy(src: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(src, tmp_path / "v1.1.1"))


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_full_release_counts(full_esco: tuple[Engine, LoadReport]) -> None:
    _, report = full_esco
    assert report.status == "loaded"
    assert report.version == "v1.1.1"
    c = report.counts
    assert (c["skills"], c["occupations"], c["occupation_skill_relations"]) == (13_896, 3_007, 123_788)
    assert (c["skills_labelled_fr"], c["skills_labelled_nl"], c["skills_labelled_en"]) == (
        13_695,
        6_939,
        13_896,
    )
    assert c["isco_groups"] == 619 and c["skill_groups"] == 640
    assert report.skipped["occupation_skill_relations"] == 67


def test_second_load_is_up_to_date_and_changes_nothing(full_esco: tuple[Engine, LoadReport], esco_dir: Path) -> None:
    engine, first = full_esco
    before, release = _row_counts(engine), current_release(engine)
    again = load_esco(engine, esco_dir)
    assert again.status == "up_to_date"
    assert again.checksum == first.checksum
    assert _row_counts(engine) == before
    assert current_release(engine) == release


def test_missing_folder(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(EscoSourceNotFound, match="does not exist"):
        load_esco(engine, tmp_path / "nowhere")


def test_folder_without_esco_files(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "notes.csv").write_text("a,b\n1,2\n")
    with pytest.raises(EscoSourceNotFound, match="no file for skills, occupations, occupation_skill"):
        load_esco(engine, tmp_path)


@pytest.mark.parametrize(
    ("file", "old", "new", "line", "problem"),
    [
        (
            "en/occupations_en.csv",
            "Occupation,http://data.europa.eu/esco/occupation/",
            "Occupation,extra,http://data.europa.eu/esco/occupation/",
            2,
            "expected 14 fields as in the header, found 15",
        ),
        (
            "en/occupations_en.csv",
            "conceptType,conceptUri,",
            "conceptType,uri,",
            1,
            "missing column(s) conceptUri; the header has: conceptType, uri, iscoGroup, preferredLabel, "
            "altLabels, hiddenLabels, status, modifiedDate, regulatedProfessionNote, scopeNote, definition, "
            "inScheme, description, code",
        ),
        (
            "relations/occupationSkillRelations.csv",
            ",essential,",
            ",mandatory,",
            None,
            "relationType must be essential or optional, found 'mandatory'",
        ),
        (
            "nl/skills_nl.csv",
            "KnowledgeSkillCompetence,http://data.europa.eu/esco/skill/",
            "KnowledgeSkillCompetence,not-a-uri",
            2,
            "column conceptUri must hold a concept URI, found 'not-a-uri",
        ),
    ],
)
def test_malformed_file_names_file_line_and_problem(
    esco_slice_dir: Path,
    tmp_path: Path,
    engine: Engine,
    file: str,
    old: str,
    new: str,
    line: int | None,
    problem: str,
) -> None:
    broken = _copy(esco_slice_dir, tmp_path)
    _edit(broken / file, old, new)
    with pytest.raises(EscoFormatError) as info:
        load_esco(engine, broken)
    err = info.value
    assert err.file == file
    assert err.problem.startswith(problem)
    if line is not None:
        assert err.line == line
    else:
        assert err.line is not None and err.line > 1
    assert str(err).startswith(f"{file}, line {err.line}: ")


def test_broken_quoting_is_reported_with_its_line(esco_slice_dir: Path, tmp_path: Path, engine: Engine) -> None:
    broken = _copy(esco_slice_dir, tmp_path)
    path = broken / "relations" / "skillSkillRelations.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3] + ',"unterminated'
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(EscoFormatError) as info:
        load_esco(engine, broken)
    assert info.value.file == "relations/skillSkillRelations.csv"
    assert info.value.line == 4
    assert "broken CSV" in info.value.problem


def test_not_utf8(esco_slice_dir: Path, tmp_path: Path, engine: Engine) -> None:
    broken = _copy(esco_slice_dir, tmp_path)
    path = broken / "fr" / "skills_fr.csv"
    path.write_bytes(path.read_bytes().replace("é".encode(), "é".encode("latin-1"), 1))
    with pytest.raises(EscoFormatError, match=r"fr/skills_fr.csv: not UTF-8 text"):
        load_esco(engine, broken)


def test_failed_load_keeps_previous_release(esco_slice_dir: Path, tmp_path: Path, engine: Engine) -> None:
    first = load_esco(engine, esco_slice_dir)
    before = _row_counts(engine)
    broken = _copy(esco_slice_dir, tmp_path)
    # The error is in the last file read, after every concept has been parsed.
    _edit(broken / "relations" / "occupationSkillRelations.csv", ",optional,", ",sometimes,")
    with pytest.raises(EscoFormatError):
        load_esco(engine, broken)
    assert _row_counts(engine) == before
    release = current_release(engine)
    assert release is not None and release.checksum == first.checksum


def test_failure_while_storing_rolls_back(
    esco_slice_dir: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_esco(engine, esco_slice_dir)
    before = _row_counts(engine)
    from esco_data import store

    def broken_chunks(rows: object, size: int = 0) -> object:
        yield from original(rows, 50)  # type: ignore[arg-type]
        raise RuntimeError("disk full")

    original = store._chunks
    monkeypatch.setattr(store, "_chunks", broken_chunks)
    with pytest.raises(RuntimeError, match="disk full"):
        load_esco(engine, esco_slice_dir, force=True)
    assert _row_counts(engine) == before


def test_dangling_rows_are_skipped_and_counted(esco_slice_dir: Path, tmp_path: Path, engine: Engine) -> None:
    copy = _copy(esco_slice_dir, tmp_path)
    path = copy / "relations" / "occupationSkillRelations.csv"
    with path.open("a", encoding="utf-8") as fh:
        fh.write(
            "http://data.europa.eu/esco/occupation/unknown,essential,knowledge,http://data.europa.eu/esco/skill/x\n"
        )
        fh.write(f"{BAKER},optional,knowledge,http://data.europa.eu/esco/skill/unknown\n")
    report = load_esco(engine, copy)
    assert report.status == "loaded"
    assert report.skipped["occupation_skill_relations"] == 2


def test_zip_download_loads_like_the_folder(esco_slice_dir: Path, tmp_path: Path, engine: Engine) -> None:
    archive = tmp_path / "ESCO dataset - v1.1.1 - classification - csv.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(esco_slice_dir.rglob("*.csv")):
            zf.write(path, path.relative_to(esco_slice_dir))
    report = load_esco(engine, archive)
    folder_report = load_esco(engine, esco_slice_dir)
    assert report.version == "v1.1.1"
    assert folder_report.status == "up_to_date"  # same bytes, same checksum
    assert report.counts["occupations"] == 11  # 9 chosen + 2 broader occupations


def test_per_language_download_with_relations_carrying_labels(
    esco_slice_dir: Path, tmp_path: Path, engine: Engine
) -> None:
    """An official per-language download carries occupationSkillRelations_en.csv with label columns."""
    target = tmp_path / "download-v1.1.1"
    target.mkdir()
    for path in (esco_slice_dir / "en").glob("*.csv"):
        shutil.copy(path, target / path.name)
    lines = (esco_slice_dir / "relations" / "occupationSkillRelations.csv").read_text().splitlines()
    out = ["occupationUri,occupationLabel,relationType,skillType,skillUri,skillLabel"]
    for line in lines[1:]:
        occ, rel, skill_type, skill = line.split(",")
        out.append(f'{occ},"some, label",{rel},{skill_type},{skill},label')
    (target / "occupationSkillRelations_en.csv").write_text("\n".join(out) + "\n")
    report = load_esco(engine, target)
    assert report.counts["occupation_skill_relations"] == len(lines) - 1
    assert report.version == "v1.1.1"
