"""Debian's headless Chromium driven by Playwright (never a browser Playwright downloads), and axe-core."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

from skillmatch.settings import REPO_ROOT

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"


def chromium_path() -> str | None:
    """Debian's chromium, when installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


@contextmanager
def browser() -> Iterator[Any]:
    """A headless Chromium (Playwright's sync API)."""
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        raise RuntimeError("chromium is not installed: `make browser-deps` (apt-get install chromium)")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def serve(app: FastAPI, start_seconds: float = 60) -> Iterator[str]:
    """Serve an app on loopback in a thread; yields its base URL.

    Args:
        app: the app.
        start_seconds: how long start-up (the app's lifespan) may take.
    """
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + start_seconds
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    if not server.started:
        raise RuntimeError("the server did not start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def sign_in(page: Any, base: str, token: str, lang: str = "fr") -> None:
    """Sign in through the sign-in form, as a person would."""
    page.goto(f"{base}/login?lang={lang}")
    page.get_by_label("Jeton d'accès" if lang == "fr" else "Toegangstoken").fill(token)
    with page.expect_navigation():  # waits for the page the form leads to, not the one it leaves
        page.get_by_role("button", name="Se connecter" if lang == "fr" else "Aanmelden").click()


def axe_violations(page: Any, axe: Path = AXE) -> list[dict[str, Any]]:
    """The serious and critical accessibility violations axe-core finds on the page.

    axe-core is evaluated through the browser's debugging protocol, not added as an inline script: the pages'
    Content-Security-Policy (``script-src 'self'``) would refuse that, as it should."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(axe.read_text(encoding="utf-8"))
    result: dict[str, Any] = page.evaluate("async () => await axe.run(document)")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


def assert_accessible(page: Any) -> None:
    """No serious or critical accessibility violation on the page (the URL says which page failed)."""
    assert axe_violations(page) == [], page.url


__all__ = [
    "AXE",
    "assert_accessible",
    "CHROMIUM_ARGS",
    "axe_violations",
    "browser",
    "chromium_path",
    "serve",
    "sign_in",
]
