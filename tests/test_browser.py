"""The web pages in a real headless Chromium (Debian's), signed in as each role: search, filter, switch the
language, edit a skill with the typeahead, the shortlist and its CSV export; axe-core finds no serious or
critical accessibility violation on any page."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.config import ApiConfig
from api.main import create_app
from esco_data import load_esco
from ingestion.models import RecordKind
from ingestion.readers import read_jsonl
from skillmatch.db import make_engine
from skillmatch.runtime import Runtime
from tests.auth import Tokens, bearer, make_tokens
from tests.browser import AXE, axe_violations, browser, chromium_path, serve, sign_in
from tests.esco_uris import (
    BAKE_GOODS,
    CALCULATE_TAX,
    KNEAD_FOOD,
    MONITOR_FLOUR_UNLOADING,
    ORDER_SUPPLIES,
    TEND_BAKERY_OVENS,
)
from tests.factories import jobseeker, jsonl, vacancy, without

pytestmark = pytest.mark.browser
FLAGGED = "V-BOULANGER-FLAG"


@dataclass(frozen=True)
class Site:
    base: str
    tokens: Tokens
    runtime: Runtime


@pytest.fixture(scope="module")
def site(slice_runtime: Runtime, esco_slice_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The service on loopback over a database of its own: three jobseekers, two vacancies (one flagged)."""
    if chromium_path() is None or not AXE.exists():
        pytest.fail("the browser tests need Debian's chromium and axe-core: run `make browser-deps`")
    folder = tmp_path_factory.mktemp("browser")
    db = make_engine(f"sqlite:///{folder / 'site.db'}")
    load_esco(db, esco_slice_dir)
    runtime = Runtime.open(slice_runtime.settings, db=db, index_dir=folder / "indexes")
    ingest = runtime.ingestion.ingest_one
    ingest(RecordKind.jobseeker, jobseeker(skills=[BAKE_GOODS]))
    ingest(
        RecordKind.jobseeker, jobseeker(id="J-BAKER-NL", preferred_language="nl", languages={"nl": "C2", "fr": "B1"})
    )
    ingest(RecordKind.jobseeker, jobseeker(id="J-BAKER-A2", languages={"fr": "C1", "nl": "A2"}, skills=[KNEAD_FOOD]))
    ingest(RecordKind.vacancy, vacancy(required_skills=[BAKE_GOODS, KNEAD_FOOD, MONITOR_FLOUR_UNLOADING]))
    ingest(
        RecordKind.vacancy,
        vacancy(
            id=FLAGGED, language="fr", title="Boulanger (h/f/x)",
            description="Nous cherchons un jeune boulanger de moins de 30 ans, de nationalité belge.",
            required_skills=[BAKE_GOODS, ORDER_SUPPLIES, CALCULATE_TAX],
        ),
    )  # fmt: skip
    app = create_app(db=db, services=runtime, config=ApiConfig())
    with serve(app) as base:
        yield Site(base, make_tokens(db), runtime)
    db.dispose()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with browser() as b:
        yield b


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(accept_downloads=True, locale="fr-BE")
    page = context.new_page()
    yield page
    context.close()


def assert_accessible(page: Any) -> None:
    assert axe_violations(page) == [], page.url


def test_consultant_searches_filters_switches_language_and_exports(site: Site, page: Any) -> None:
    sign_in(page, site.base, site.tokens.consultant)
    assert page.url.endswith("/ui/vacancies")
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Bakker (m/v/x)").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Candidats pour")
    results = page.locator("ol.results > li")
    assert results.count() == 3
    first = results.first
    assert first.locator("meter").first.get_attribute("value") is not None
    assert first.locator(".chip.matched").count() >= 1
    assert page.get_by_text("Langues:").first.is_visible()
    assert_accessible(page)

    page.get_by_label("Niveau minimum (NL)").select_option("B2")
    with page.expect_navigation():
        page.get_by_role("button", name="Appliquer", exact=True).click()
    ids = page.locator("ol.results > li h3").all_inner_texts()
    assert "J-BAKER-A2" not in ids and "J-BAKER-NL" in ids

    with page.expect_navigation():
        page.get_by_role("link", name="Nederlands").click()
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.get_by_role("heading", level=1).inner_text().startswith("Kandidaten voor")
    assert page.get_by_label("Minimumniveau (NL)").input_value() == "B2"  # the filters survive the switch
    assert_accessible(page)

    with page.expect_navigation():
        page.get_by_role("button", name="Op de shortlist zetten J-BAKER-NL").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Shortlist (1)").click()
    page.get_by_label("Status J-BAKER-NL").select_option("sent_to_employer")
    with page.expect_navigation():
        page.get_by_role("button", name="Opslaan J-BAKER-NL").click()
    assert page.get_by_label("Status J-BAKER-NL").input_value() == "sent_to_employer"
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Exporteren als CSV").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert rows[0] == ["vacancy_id", "jobseeker_id", "status", "score", "updated_at"]
    assert rows[1][:3] == ["V-BAKKER-NL", "J-BAKER-NL", "sent_to_employer"]

    with page.expect_navigation():
        page.get_by_role("link", name="J-BAKER-NL").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Geanonimiseerd profiel")
    body = page.locator("main").inner_text()
    assert "Marie" not in body and "example.be" not in body and "+32" not in body
    assert_accessible(page)


def test_flags_come_before_the_candidates(site: Site, page: Any) -> None:
    sign_in(page, site.base, site.tokens.consultant)
    page.goto(f"{site.base}/ui/vacancies/{FLAGGED}")
    flags = page.locator("section.flags.warn")
    assert flags.is_visible()
    assert "moins de 30 ans" in flags.inner_text() or "jeune" in flags.inner_text()
    order = page.evaluate(
        "() => document.querySelector('section.flags').compareDocumentPosition(document.querySelector('ol.results'))"
    )
    assert order & 4  # the flags precede the results in the page


def test_jobseeker_sees_suggestions_and_adds_a_skill_with_the_keyboard(site: Site, page: Any) -> None:
    sign_in(page, site.base, site.tokens.jobseeker)
    assert page.url.endswith("/ui/me")
    suggestions = page.locator("section[aria-labelledby=sugg-h] ol.results > li")
    assert suggestions.count() >= 1
    assert page.get_by_role("heading", name="Compétences à acquérir").count() >= 1
    assert page.locator(".chip.missing").count() >= 1
    assert_accessible(page)

    label = site.runtime.taxonomy.label(TEND_BAKERY_OVENS, "fr").text
    box = page.get_by_label("Rechercher une compétence ESCO")
    box.focus()
    page.keyboard.type(label.split()[0][:5])
    option = page.get_by_role("button", name=f"Ajouter: {label}")
    option.wait_for(timeout=10_000)
    page.wait_for_load_state("networkidle")  # no later suggestion list replaces the option under the focus
    while not option.evaluate("el => el === document.activeElement"):
        page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert label in page.locator(".skill-list").inner_text()
    stored = site.runtime.engine.stats()  # the dossier was stored and indexed again
    assert stored["jobseeker"]["indexed"] == 3
    assert_accessible(page)

    with page.expect_navigation():
        page.get_by_role("button", name=f"Retirer {label}").click()
    assert label not in page.locator(".skill-list").inner_text()

    with page.expect_navigation():
        page.get_by_role("link", name="Mes droits et mes progrès").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Mes droits et mes progrès"
    assert_accessible(page)
    page.get_by_label("Contester une suggestion", exact=False).fill("Pourquoi cette offre ?")
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer").click()
    assert page.get_by_role("status").inner_text() == "Votre demande a été transmise à un conseiller."
    assert_accessible(page)


def test_admin_sees_users_audit_and_quarantine(site: Site, page: Any) -> None:
    searched = httpx.get(f"{site.base}/vacancies/{FLAGGED}/candidates", headers=bearer(site.tokens.consultant))
    assert searched.status_code == 200
    sign_in(page, site.base, site.tokens.admin, lang="nl")
    assert page.url.endswith("/ui/admin/users")
    assert page.get_by_role("heading", level=1).inner_text() == "Gebruikers"
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Een token uitgeven").first.click()
    assert page.locator("#new-token").inner_text().startswith("smt_")
    with page.expect_navigation():
        page.get_by_role("link", name="Auditlogboek").click()
    page.get_by_label("Actie").select_option("candidate_search")
    with page.expect_navigation():
        page.get_by_role("button", name="Filteren").click()
    table = page.locator("table.grid").inner_text()
    assert "kandidaten gezocht" in table and FLAGGED in table and "candidate_search" not in table
    assert_accessible(page)
    # A dossier refused by validation: its reason is read in the page's language, not in the validation's English.
    site.runtime.ingestion.ingest(RecordKind.jobseeker, read_jsonl(jsonl([without(jobseeker(), "id")])), source="x")
    with page.expect_navigation():
        page.get_by_role("link", name="Quarantaine").click()
    table = page.locator("table.grid").inner_text()
    assert "verplicht veld ontbreekt" in table and "required" not in table
    assert page.locator("table.grid [lang=en]").count() == 0
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Blootstelling per groep").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Blootstelling per groep"
    assert_accessible(page)


def test_sign_in_page_language_from_accept_language(chromium: Any, site: Site) -> None:
    context = chromium.new_context(locale="nl-BE", extra_http_headers={"Accept-Language": "nl-BE,nl;q=0.9"})
    page = context.new_page()
    page.goto(f"{site.base}/ui/me")
    assert page.get_by_role("button", name="Aanmelden").is_visible()
    assert "ESCO" in page.locator("footer").inner_text()
    assert_accessible(page)
    context.close()
