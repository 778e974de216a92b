"""Screenshots of every role's pages in French and Dutch, for the README and for review.

Usage (after ``skillmatch esco load`` and ``skillmatch demo load``; ``make screenshots`` does all three):
    python -m docs.screenshots [--vacancy V00001] [--out docs]

Starts the service over the configured data directory on loopback, signs in with the demo users' tokens
(created when missing), imports the demo's audit attributes when none are there, and saves
``docs/<role>-<page>-<lang>.png`` (the consultant's candidates and the jobseeker's dossier keep their short names
``consultant-fr.png``, ``jobseeker-nl.png`` ...), taken by Debian's headless Chromium.
"""

from __future__ import annotations

import argparse
import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from api.auth import Role, TokenStore
from ingestion.rights_models import ContestRecord
from matching.fairness import ExposureStore
from skillmatch.cli.records import DEMO_DIR, DEMO_USERS
from skillmatch.db import make_engine
from skillmatch.schema import create_tables
from skillmatch.server import create_app
from skillmatch.settings import REPO_ROOT, get_settings
from tests.browser import browser, serve, sign_in


def demo_tokens() -> dict[str, str]:
    """A fresh one-day token for each demo user (created when missing)."""
    db = make_engine(get_settings().database_url)
    create_tables(db)
    store = TokenStore(db)
    out = {}
    for name, role, dossier in DEMO_USERS:
        user = store.user_by_name(name) or store.add_user(name, Role(role), dossier)
        out[role] = store.issue(user.id, days=1, label="screenshots").token
    return out


def audit_attributes() -> None:
    """The demo's audit attributes in the restricted table, when it is empty (so the exposure page has groups)."""
    settings = get_settings()
    store = ExposureStore(make_engine(settings.exposure_database_url or settings.database_url))
    source = DEMO_DIR / "audit_attributes.csv"
    if store.count() == 0 and source.exists():
        with source.open(encoding="utf-8") as fh:
            store.import_rows(list(csv.DictReader(fh)))


def shots(vacancy: str, jobseeker: str) -> dict[str, list[tuple[str, str]]]:
    """Per role, (name, path) of each page taken (the jobseeker first: what they do reaches the consultant)."""
    return {
        "jobseeker": [
            ("", "/ui/me"),
            ("vacancy", f"/ui/me/vacancies/{vacancy}"),
            ("rights", "/ui/me/progress#rights-h"),
        ],
        "consultant": [
            ("", f"/ui/vacancies/{vacancy}"),
            ("list", "/ui/vacancies?sort=flags"),
            ("lookup", f"/ui/vacancies/{vacancy}?who={jobseeker}#lookup"),
            ("understood", f"/ui/vacancies/{vacancy}#understood-h"),
            ("dossier", f"/ui/jobseekers/{jobseeker}"),
            ("queue", "/ui/queue"),
        ],
        "admin": [
            ("users", "/ui/admin/users"),
            ("exposure", "/ui/admin/exposure"),
            ("runs", "/ui/admin/runs"),
            ("learned", "/ui/admin/learned-links"),
        ],
    }


def with_lang(path: str, lang: str) -> str:
    """A page's path with ``lang=`` in its query (before any ``#fragment``)."""
    where, _, fragment = path.partition("#")
    joined = f"{where}{'&' if '?' in where else '?'}lang={lang}"
    return f"{joined}#{fragment}" if fragment else joined


def _signals_once(page: Any, base: str, vacancy: str) -> None:
    """The demo jobseeker says they are interested in a vacancy and contests once, through the pages (so the
    consultant's queue has something to show)."""
    page.goto(f"{base}/ui/me/vacancies/{vacancy}")
    interested = page.locator("form[action$='/interest'] input[name=interested]")
    if interested.count() and interested.get_attribute("value") == "true":
        page.locator("form[action$='/interest'] button").click()
        page.wait_for_load_state("networkidle")
    if not _open_contests():
        page.goto(f"{base}/ui/me/progress")
        page.locator("#contest").fill("Pourquoi ne vois-je aucune offre de traduction ?")
        page.locator("form[action='/ui/me/contest'] button").click()
        page.wait_for_load_state("networkidle")


def _open_contests() -> int:
    """Open contests in the configured database."""
    table = ContestRecord.__table__  # type: ignore[attr-defined]
    with make_engine(get_settings().database_url).connect() as conn:
        return int(conn.execute(select(func.count()).where(table.c.status == "open")).scalar_one())


def _run_audit_once(page: Any, base: str) -> None:
    """Start the exposure audit from its page when no run is kept yet, and wait for it (its progress shows)."""
    page.goto(f"{base}/ui/admin/exposure")
    if page.locator("table.grid tbody tr td a").count() == 0 and page.locator("form button:enabled").count():
        page.locator("form[action='/ui/admin/exposure'] button").click()
        page.wait_for_load_state("networkidle")
        page.locator("div.job.succeeded, div.job.failed").wait_for(timeout=900_000)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vacancy", default="V00001")
    parser.add_argument("--jobseeker", default="J00450", help="the person the consultant looks up")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs")
    args = parser.parse_args(argv)
    tokens = demo_tokens()
    audit_attributes()
    with serve(create_app(), start_seconds=900) as base, browser() as chromium:
        for role, pages in shots(args.vacancy, args.jobseeker).items():
            for lang in ("fr", "nl"):
                context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale=f"{lang}-BE")
                page = context.new_page()
                sign_in(page, base, tokens[role], lang)
                if role == "admin":
                    _run_audit_once(page, base)
                if role == "jobseeker" and lang == "fr":
                    _signals_once(page, base, args.vacancy)
                for name, path in pages:
                    page.goto(f"{base}{with_lang(path, lang)}")
                    page.wait_for_load_state("networkidle")
                    target = args.out / f"{'-'.join(filter(None, (role, name, lang)))}.png"
                    page.screenshot(path=str(target), full_page=False)
                    print(f"wrote {target.relative_to(REPO_ROOT)}")
                context.close()


if __name__ == "__main__":
    main()
