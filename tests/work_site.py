"""The site the daily-work browser tests drive: the service on loopback over a database of its own.

Four jobseekers (one of them for the rights test, with a user of its own), the baker vacancy, a flagged one
and 30 more for the list's pages, audit attributes for the exposure audit, and a consultant to disable.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI

from api.auth import Role, TokenStore
from api.config import ApiConfig
from api.main import create_app
from esco_data import load_esco
from ingestion.models import RecordKind
from skillmatch.db import make_engine
from skillmatch.runtime import Runtime
from tests.auth import Tokens, make_tokens
from tests.browser import AXE, chromium_path, serve
from tests.esco_uris import BAKE_GOODS, CALCULATE_TAX, KNEAD_FOOD, MONITOR_FLOUR_UNLOADING, ORDER_SUPPLIES
from tests.factories import jobseeker, vacancy

VACANCY = "V-BAKKER-NL"
FLAGGED = "V-BOULANGER-FLAG"
PAGED = 30


@dataclass(frozen=True)
class WorkSite:
    base: str
    app: FastAPI
    tokens: Tokens
    runtime: Runtime
    jobseekers: int
    open_vacancies: int
    rights_dossier: str
    rights_token: str
    disabled_name: str
    disabled_token: str


def make_work_site(
    slice_runtime: Runtime, esco_slice_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WorkSite]:
    """Build the site (a generator for a module fixture)."""
    if chromium_path() is None or not AXE.exists():
        pytest.fail("the browser tests need Debian's chromium and axe-core: run `make browser-deps`")
    folder = tmp_path_factory.mktemp("work")
    db = make_engine(f"sqlite:///{folder / 'site.db'}")
    load_esco(db, esco_slice_dir)
    runtime = Runtime.open(slice_runtime.settings, db=db, index_dir=folder / "indexes")
    ingest = runtime.ingestion.ingest_one
    people = [
        jobseeker(skills=[{"uri": BAKE_GOODS}, {"uri": KNEAD_FOOD}]),
        jobseeker(id="J-BAKER-NL", preferred_language="nl", languages={"nl": "C2", "fr": "B1"}),
        jobseeker(id="J-BAKER-A2", languages={"fr": "C1", "nl": "A2"}, skills=[{"uri": KNEAD_FOOD}]),
        jobseeker(id="J-RIGHTS", languages={"fr": "C2", "nl": "B2"}, skills=[{"uri": BAKE_GOODS}]),
    ]
    for person in people:
        ingest(RecordKind.jobseeker, person)
    ingest(
        RecordKind.vacancy,
        vacancy(required_skills=[{"uri": u} for u in (BAKE_GOODS, KNEAD_FOOD, MONITOR_FLOUR_UNLOADING)]),
    )
    ingest(
        RecordKind.vacancy,
        vacancy(
            id=FLAGGED, language="fr", title="Boulanger (h/f/x)", employer_id=None,
            description="Nous cherchons un jeune boulanger de moins de 30 ans, de nationalité belge.",
            required_skills=[{"uri": u} for u in (BAKE_GOODS, ORDER_SUPPLIES, CALCULATE_TAX)],
        ),
    )  # fmt: skip
    for i in range(PAGED):
        ingest(RecordKind.vacancy, vacancy(id=f"V-PAGE-{i:02d}", employer_id=f"E-{1000 + i}"))
    runtime.fairness.exposure.import_rows(
        [
            {"id": "J-BAKER-FR", "gender": "F", "age_band": "26-45", "nationality_group": "BE"},
            {"id": "J-BAKER-NL", "gender": "M", "age_band": "<26", "nationality_group": "EU"},
            {"id": "J-BAKER-A2", "gender": "X", "age_band": ">55", "nationality_group": "non-EU"},
        ]
    )
    app = create_app(db=db, services=runtime, config=ApiConfig())
    tokens = make_tokens(db)
    store = TokenStore(db)
    rights = store.add_user("j-rights", Role.jobseeker, "J-RIGHTS")
    disabled = store.add_user("c-leaving", Role.consultant)
    with serve(app) as base:
        yield WorkSite(
            base=base, app=app, tokens=tokens, runtime=runtime, jobseekers=len(people), open_vacancies=PAGED + 2,
            rights_dossier="J-RIGHTS", rights_token=store.issue(rights.id, days=1).token,
            disabled_name=disabled.name, disabled_token=store.issue(disabled.id, days=1).token,
        )  # fmt: skip
    db.dispose()


__all__ = ["FLAGGED", "VACANCY", "WorkSite", "make_work_site"]
