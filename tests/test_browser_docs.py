"""/docs in a real headless Chromium with every request off this machine blocked: Swagger UI renders the
service's OpenAPI document from the installed package's files, under the pages' Content-Security-Policy, with no
violation; the pages themselves run under the same policy with none either."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from api.config import ApiConfig
from api.main import create_app
from esco_data import load_esco
from ingestion.models import RecordKind
from skillmatch.db import make_engine
from skillmatch.runtime import Runtime
from tests.auth import Tokens, make_tokens
from tests.browser import browser, chromium_path, serve, sign_in
from tests.factories import jobseeker, vacancy

pytestmark = pytest.mark.browser
WATCH = """() => { window.__violations = [];
  document.addEventListener('securitypolicyviolation',
    e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI)); }"""


@pytest.fixture(scope="module")
def site(
    slice_runtime: Runtime, esco_slice_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Tokens]]:
    if chromium_path() is None:
        pytest.fail("the browser tests need Debian's chromium: run `make browser-deps`")
    folder = tmp_path_factory.mktemp("docs")
    db = make_engine(f"sqlite:///{folder / 'docs.db'}")
    load_esco(db, esco_slice_dir)
    runtime = Runtime.open(slice_runtime.settings, db=db, index_dir=folder / "indexes")
    runtime.ingestion.ingest_one(RecordKind.jobseeker, jobseeker())
    runtime.ingestion.ingest_one(RecordKind.vacancy, vacancy())
    with serve(create_app(db=db, services=runtime, config=ApiConfig())) as base:
        yield base, make_tokens(db)
    db.dispose()


def _offline_page(chromium: Any) -> tuple[Any, list[str], list[str]]:
    """A page whose requests to anything but this machine are aborted; the blocked URLs and console errors."""
    context = chromium.new_context()
    page = context.new_page()
    blocked: list[str] = []
    errors: list[str] = []

    def only_loopback(route: Any) -> None:
        if urlsplit(route.request.url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_loopback)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.add_init_script(f"({WATCH})()")
    return page, blocked, errors


def test_docs_render_offline_under_the_content_security_policy(site: tuple[str, Tokens]) -> None:
    base, _ = site
    with browser() as chromium:
        page, blocked, errors = _offline_page(chromium)
        response = page.goto(f"{base}/docs")
        assert response is not None and "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_selector(".swagger-ui .information-container .title", timeout=30_000)
        assert "skillmatch" in page.inner_text(".swagger-ui .information-container .title")
        page.wait_for_selector(".opblock-summary-path", timeout=30_000)
        paths = page.eval_on_selector_all(".opblock-summary-path", "els => els.map(e => e.textContent)")
        assert any("/jobseekers/{jobseeker_id}" in p for p in paths)
        violations = page.evaluate("() => window.__violations")
        assert (blocked, violations) == ([], [])
        assert [e for e in errors if "Content Security Policy" in e] == []


def test_the_pages_run_under_the_policy_without_violation(site: tuple[str, Tokens]) -> None:
    base, tokens = site
    with browser() as chromium:
        page, blocked, errors = _offline_page(chromium)
        sign_in(page, base, tokens.jobseeker)
        page.goto(f"{base}/ui/me")
        page.fill("#skill-q", "pât")  # htmx (a script file) asks for the typeahead's options
        page.wait_for_timeout(800)
        violations = page.evaluate("() => window.__violations")
        assert (blocked, violations) == ([], [])
        assert [e for e in errors if "Content Security Policy" in e] == []
