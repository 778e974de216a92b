"""GET /health answers with the ESCO version and concept counts."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from skillmatch.server import create_app
from skillmatch.settings import Settings


def test_health_reports_esco(slice_engine: Engine, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=str(slice_engine.url))
    with TestClient(create_app(settings)) as client:
        body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["esco"]["version"] == "v1.1.1"
    assert body["esco"]["counts"]["occupations"] == 11  # 9 chosen + 2 broader occupations
    assert body["esco"]["languages"] == ["en", "fr", "nl"]


def test_health_without_taxonomy(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    with TestClient(create_app(settings)) as client:
        response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "no_taxonomy", "esco": None}
