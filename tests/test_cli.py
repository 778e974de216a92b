"""The command line: every command has help; esco load reports, is idempotent and fails clearly."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from skillmatch.cli import app
from skillmatch.settings import get_settings

runner = CliRunner()


def _commands(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        found.append((*prefix, name))
        if hasattr(command, "commands"):
            found += _commands(command, (*prefix, name))
    return found


@pytest.fixture
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("SKILLMATCH_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_every_command_has_help_with_an_example() -> None:
    group = typer.main.get_command(app)
    commands = _commands(group)
    assert ("esco", "load") in commands
    for path in commands:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, path
        command: Any = group
        for name in path:
            command = command.commands[name]
        assert command.help, f"{' '.join(path)} has no help"
        if not hasattr(command, "commands"):
            assert "Example: skillmatch" in command.help, f"{' '.join(path)} has no example"


def test_esco_load_then_up_to_date(esco_slice_dir: Path, isolated_settings: Path) -> None:
    result = runner.invoke(app, ["esco", "load", "--esco-dir", str(esco_slice_dir)])
    assert result.exit_code == 0, result.output
    assert "Loaded ESCO v1.1.1" in result.output
    assert "11 occupations" in result.output
    # Everything a server's start reads is built, the pages' typeahead index included (a start maps it).
    assert (isolated_settings / "data" / "typeahead" / "manifest.json").exists()
    assert "build cache" not in result.output  # the test session runs with none (``matching.build_cache``)
    again = runner.invoke(app, ["esco", "load", "--esco-dir", str(esco_slice_dir)])
    assert again.exit_code == 0
    assert "is up to date" in again.output and "nothing changed" in again.output
    info = runner.invoke(app, ["esco", "info"])
    assert '"version": "v1.1.1"' in info.output


def test_esco_load_missing_folder_fails_clearly(isolated_settings: Path) -> None:
    missing = isolated_settings / "nowhere"
    result = runner.invoke(app, ["esco", "load", "--esco-dir", str(missing)])
    assert result.exit_code == 1
    assert f"Error: ESCO source not found: {missing} does not exist" in result.output


def test_a_spawned_worker_importing_the_module_entry_point_runs_no_command() -> None:
    # Batch ingestion's workers are spawned: each imports the parent's main module again as ``__mp_main__``.
    # Under ``python -m skillmatch.cli`` that module must not run the command a second time.
    script = "import runpy; runpy.run_module('skillmatch.cli.__main__', run_name='__mp_main__'); print('imported')"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0 and done.stdout.strip() == "imported", done.stdout + done.stderr
