"""The command line over a data directory of its own: batch ingestion with its summary, a second run that changes
nothing, the quarantine export, and matches as JSON.

Opening a runtime builds the slice's concept space in that data directory once (tens of seconds), so the module
shares one data directory and one ingestion.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from esco_data import load_esco
from skillmatch.cli import app
from skillmatch.db import make_engine
from skillmatch.settings import get_settings
from tests.esco_uris import ACCOUNTANT, BAKE_GOODS, KNEAD_FOOD
from tests.factories import jobseeker, jsonl, vacancy

pytestmark = pytest.mark.slow

runner = CliRunner()
CEFR_D1 = "CEFR level must be one of A1, A2, B1, B2, C1, C2, not 'D1'"
BAD = jobseeker(id="J-BAD", languages={"fr": "D1"})
JOBSEEKERS = [
    jobseeker(gender="F"),
    jobseeker(
        id="J-BAKER-NL",
        preferred_language="nl",
        experiences=[{"title": "Bakker", "years": 12}],
        skills=[BAKE_GOODS, KNEAD_FOOD],
        languages={"nl": "C2", "fr": "B1"},
    ),
    BAD,
    jobseeker(id="J-COMPTABLE", experiences=[{"title": "Comptable"}], skills=[], languages={"fr": "C2"}),
]
VACANCIES = [
    vacancy(),
    vacancy(id="V-COMPTABLE", language="fr", title="Comptable (h/f/x)", occupation_uri=ACCOUNTANT, required_skills=[]),
]


def summary_line(result: Result) -> str:
    """The one line of standard output that sums a batch up."""
    [line] = [line for line in result.stdout.splitlines() if " read in " in line]
    return re.sub(r" in \d+\.\d s:", " in N s:", line)


@pytest.fixture(scope="module")
def data_root(esco_slice_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A data directory and a database with the ESCO slice loaded, set in the environment for the CLI."""
    root = tmp_path_factory.mktemp("cli-ingest")
    url = f"sqlite:///{root / 'skillmatch.db'}"
    engine = make_engine(url)
    load_esco(engine, esco_slice_dir)
    engine.dispose()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SKILLMATCH_DATA_DIR", str(root / "data"))
        env.setenv("SKILLMATCH_DATABASE_URL", url)
        get_settings.cache_clear()
        yield root
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def ingested(data_root: Path) -> dict[str, Result]:
    """Jobseekers ingested twice, then vacancies once."""
    jobseekers = data_root / "jobseekers.jsonl"
    jobseekers.write_text(jsonl(JOBSEEKERS), encoding="utf-8")
    vacancies = data_root / "vacancies.jsonl"
    vacancies.write_text(jsonl(VACANCIES), encoding="utf-8")
    results = {
        "first": runner.invoke(app, ["ingest", "jobseekers", str(jobseekers)]),
        "second": runner.invoke(app, ["ingest", "jobseekers", str(jobseekers)]),
        "vacancies": runner.invoke(app, ["ingest", "vacancies", str(vacancies)]),
    }
    for result in results.values():
        assert result.exit_code == 0, result.output
    return results


def test_ingest_prints_the_summary(ingested: dict[str, Result]) -> None:
    first = ingested["first"]
    assert summary_line(first) == "4 jobseekers read in N s: 3 accepted, 0 updated, 0 unchanged, 1 quarantined."
    assert "Warning: J-BAKER-FR: dropped protected attribute 'gender' (never used for matching)" in first.stdout
    assert "See the rejected records and their reasons: skillmatch quarantine export" in first.stdout


def test_second_run_says_unchanged(ingested: dict[str, Result]) -> None:
    second = ingested["second"]
    assert summary_line(second) == (
        "4 jobseekers read in N s: 0 accepted, 0 updated, 3 unchanged, 0 quarantined (1 already in quarantine)."
    )
    assert "See the rejected records" not in second.stdout


def test_ingest_vacancies(ingested: dict[str, Result]) -> None:
    line = summary_line(ingested["vacancies"])
    assert line.endswith(" read in N s: 2 accepted, 0 updated, 0 unchanged, 0 quarantined.")


def test_ingest_vacancies_summary_spells_vacancies(ingested: dict[str, Result]) -> None:
    assert summary_line(ingested["vacancies"]).startswith("2 vacancies read in N s:")


def test_quarantine_export_writes_the_rejected_lines(ingested: dict[str, Result], tmp_path: Path) -> None:
    out = tmp_path / "rejected.jsonl"
    result = runner.invoke(app, ["quarantine", "export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Wrote 1 quarantined records to {out}.\n"
    [row] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert (row["kind"], row["line"], row["record_id"], row["field"], row["reason"]) == (
        "jobseeker",
        3,
        "J-BAD",
        "languages.fr",
        CEFR_D1,
    )
    assert row["raw"] == json.dumps(BAD | {"contact": "(removed)"}, ensure_ascii=False)  # contact details masked
    assert row["resolved_at"] is None


def test_quarantine_export_to_standard_output(ingested: dict[str, Result]) -> None:
    result = runner.invoke(app, ["quarantine", "export", "--kind", "jobseeker"])
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["record_id"] for line in result.stdout.splitlines()] == ["J-BAD"]
    none = runner.invoke(app, ["quarantine", "export", "--kind", "vacancy"])
    assert none.stdout == ""


def test_match_candidates_prints_json(ingested: dict[str, Result]) -> None:
    result = runner.invoke(app, ["match", "candidates", "V-BAKKER-NL", "-k", "2"])
    assert result.exit_code == 0, result.output
    matches = json.loads(result.stdout)
    assert sorted(m["id"] for m in matches) == ["J-BAKER-FR", "J-BAKER-NL"]
    for match in matches:
        assert match["kind"] == "jobseeker"
        assert set(match["components"]) == {"cosine", "essential", "optional", "occupation", "language", "location"}
        assert match["explanation"]["lang"] == "nl"
        assert [s["skill"]["label"] for s in match["explanation"]["matched"]] == ["bakkerswaren bakken"]


def test_match_vacancies_prints_json_in_the_asked_language(ingested: dict[str, Result]) -> None:
    result = runner.invoke(app, ["match", "vacancies", "J-BAKER-FR", "--lang", "nl"])
    assert result.exit_code == 0, result.output
    matches = json.loads(result.stdout)
    assert [m["id"] for m in matches] == ["V-BAKKER-NL", "V-COMPTABLE"]
    assert {m["explanation"]["lang"] for m in matches} == {"nl"}


def test_match_unknown_vacancy_fails_clearly(ingested: dict[str, Result]) -> None:
    result = runner.invoke(app, ["match", "candidates", "NOPE"])
    assert result.exit_code == 1
    assert "Error: no vacancy with id 'NOPE'" in result.output


def test_ingest_missing_file_fails_clearly(data_root: Path) -> None:
    missing = data_root / "nowhere.jsonl"
    result = runner.invoke(app, ["ingest", "jobseekers", str(missing)])
    assert result.exit_code == 1
    assert f"Error: {missing} does not exist" in result.output


def test_ingest_unknown_format_fails_clearly(data_root: Path) -> None:
    path = data_root / "one.jsonl"
    path.write_text(jsonl([jobseeker()]), encoding="utf-8")
    result = runner.invoke(app, ["ingest", "jobseekers", str(path), "--format", "excel"])
    assert result.exit_code == 1
    assert "Error: --format must be one of native, matching-dev" in result.output
