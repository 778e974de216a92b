"""Screenshots of the consultant's and the jobseeker's pages in French and Dutch, for the README.

Usage (after ``skillmatch esco load`` and ``skillmatch demo load``; ``make screenshots`` does all three):
    python -m docs.screenshots [--vacancy V00001] [--out docs]

Starts the service over the configured data directory on loopback, signs in with the demo users' tokens
(``skillmatch demo tokens`` creates them) and saves docs/consultant-fr.png, consultant-nl.png,
jobseeker-fr.png and jobseeker-nl.png, taken by Debian's headless Chromium.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from api.auth import Role, TokenStore
from skillmatch.cli import DEMO_USERS
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


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vacancy", default="V00001")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs")
    args = parser.parse_args(argv)
    tokens = demo_tokens()
    shots = {
        "consultant": f"/ui/vacancies/{args.vacancy}",
        "jobseeker": "/ui/me",
    }
    with serve(create_app(), start_seconds=900) as base, browser() as chromium:
        for role, path in shots.items():
            for lang in ("fr", "nl"):
                context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale=f"{lang}-BE")
                page = context.new_page()
                sign_in(page, base, tokens[role], lang)
                page.goto(f"{base}{path}?lang={lang}")
                page.wait_for_load_state("networkidle")
                target = args.out / f"{role}-{lang}.png"
                page.screenshot(path=str(target), full_page=False)
                print(f"wrote {target.relative_to(REPO_ROOT)}")
                context.close()


if __name__ == "__main__":
    main()
