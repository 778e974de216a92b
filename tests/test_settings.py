"""Settings: environment variables, paths resolved from the repository root."""

from __future__ import annotations

import pytest

from skillmatch.settings import REPO_ROOT, Settings


def test_relative_paths_resolve_from_the_repository_root(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.chdir("/")
    settings = Settings(data_dir="data", esco_dir="../shared/esco/v1.1.1")  # type: ignore[arg-type]
    assert settings.data_dir == REPO_ROOT / "data"
    assert settings.esco_dir == (REPO_ROOT.parent / "shared" / "esco" / "v1.1.1").resolve()
    assert settings.database_url == f"sqlite:///{REPO_ROOT / 'data' / 'skillmatch.db'}"


def test_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SKILLMATCH_DATABASE_URL", "postgresql://u@localhost/skillmatch")
    monkeypatch.setenv("SKILLMATCH_INDEX_TYPE", "hnsw")
    settings = Settings()
    assert settings.database_url == "postgresql://u@localhost/skillmatch"
    assert settings.index_type == "hnsw"
    assert not settings.is_sqlite


def test_invalid_setting_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SKILLMATCH_INDEX_TYPE", "magic")
    with pytest.raises(ValueError, match="index_type"):
        Settings()


def test_the_exposure_audit_settings_read_their_old_names_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SKILLMATCH_AUDIT_DATABASE_URL", "sqlite:///old.db")
    monkeypatch.setenv("SKILLMATCH_AUDIT_COUNTERFACTUAL", "false")
    monkeypatch.setenv("SKILLMATCH_REMATCH_AUDIT", "false")
    old = Settings()
    assert (old.exposure_database_url, old.exposure_counterfactual, old.rematch_exposure_audit) == (
        "sqlite:///old.db", False, False,
    )  # fmt: skip
    monkeypatch.setenv("SKILLMATCH_EXPOSURE_DATABASE_URL", "sqlite:///new.db")
    assert Settings().exposure_database_url == "sqlite:///new.db"
    assert Settings(exposure_counterfactual=True).exposure_counterfactual is True


def test_each_score_weight_is_a_setting_whose_default_is_the_scorers(monkeypatch: pytest.MonkeyPatch) -> None:
    from matching.ranking import ScoreWeights

    assert Settings().score_weights() == ScoreWeights()
    monkeypatch.setenv("SKILLMATCH_SCORE_COSINE", "0.8")
    monkeypatch.setenv("SKILLMATCH_SCORE_INFERRED_CREDIT", "0.1")
    weights = Settings().score_weights()
    assert (weights.cosine, weights.inferred_credit, weights.essential) == (0.8, 0.1, ScoreWeights().essential)
    for name in ("cosine", "essential", "optional", "occupation", "language", "location"):
        monkeypatch.setenv(f"SKILLMATCH_SCORE_{name.upper()}", "0")
    with pytest.raises(ValueError, match="term weights"):
        Settings()


def test_the_default_language_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from skillmatch.runtime import linker_config

    assert Settings().default_language == "fr"
    monkeypatch.setenv("SKILLMATCH_DEFAULT_LANGUAGE", "nl")
    assert linker_config(Settings()).default_language == "nl"
    monkeypatch.setenv("SKILLMATCH_DEFAULT_LANGUAGE", "de")
    with pytest.raises(ValueError, match="default_language"):
        Settings()
