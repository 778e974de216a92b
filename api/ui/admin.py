"""The administrator's pages: users and tokens (disable, enable), the audit log, the exposure audit and its
"run now" with progress, the long runs (audits started here, nightly rematch runs), the quarantine.

A run started here goes on in a thread of the serving process; its progress is written to the database
(``services.jobs``), so a reload, another server process or another administrator sees where it is.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from api.audit_actions import AuditAction
from api.auth.roles import Role
from api.auth.rules import AuditEntryDep, PrincipalDep
from api.auth.tokens import UserError
from api.deps import AuditDep, ConfigDep, EngineDep, FairnessDep, JobsDep, TokensDep
from api.routes.common import MAX_ID, RowId
from api.ui.i18n import Words, reader_language, translator
from api.ui.render import page
from ingestion.quarantine import export_quarantine
from matching.rematch import RematchRepository
from services.jobs import Job, JobRunning, JobStore

log = logging.getLogger("skillmatch.api")
EXPOSURE_JOB = "exposure_audit"

router = APIRouter(prefix="/ui/admin", include_in_schema=False)


def _users_page(
    request: Request,
    tokens: TokensDep,
    issued: str | None = None,
    error: str | None = None,
    saved: str = "",
    status: int = 200,
) -> Response:
    users = tokens.users()
    by_user: dict[int, list[object]] = {}
    for info in tokens.tokens():
        by_user.setdefault(info.user_id, []).append(info)
    return page(
        request, "admin_users.html", status=status, users=users, tokens=by_user, issued=issued, error=error, saved=saved
    )


@router.get("/users")
def users_page(request: Request, tokens: TokensDep, saved: Annotated[str, Query(max_length=16)] = "") -> Response:
    """Users and their tokens."""
    return _users_page(request, tokens, saved=saved)


@router.post("/users/{user_id}/active")
def set_active(
    request: Request,
    user_id: RowId,
    tokens: TokensDep,
    principal: PrincipalDep,
    trail: AuditEntryDep,
    active: Annotated[bool, Form()],
) -> Response:
    """Disable a user (every token of theirs stops at once) or enable them again; never one's own account."""
    if not active and principal.subject == f"user:{user_id}":
        trail.skipped = True
        return _users_page(request, tokens, error="cannot_disable_self", status=409)
    if tokens.set_active(user_id, active) is None:
        trail.skipped = True
        return _users_page(request, tokens, error="no_such_user", status=404)
    return RedirectResponse(f"/ui/admin/users?saved={'enabled' if active else 'disabled'}", status_code=303)


@router.post("/users")
def create_user(
    request: Request,
    tokens: TokensDep,
    name: Annotated[str, Form(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._@-]+$")],
    role: Annotated[Role, Form()],
    trail: AuditEntryDep,
    jobseeker_id: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Create a user (a jobseeker user for an existing dossier only)."""
    if tokens.user_by_name(name) is not None:
        trail.skipped = True
        return _users_page(request, tokens, error="user_exists", status=409)
    try:
        user = tokens.add_user(name, role, jobseeker_id.strip() or None)
    except UserError:
        trail.skipped = True
        return _users_page(request, tokens, error="user_invalid", status=422)
    trail.target = str(user.id)
    return RedirectResponse("/ui/admin/users?saved=created", status_code=303)


@router.post("/users/{user_id}/tokens")
def issue_token(request: Request, user_id: RowId, tokens: TokensDep, config: ConfigDep) -> Response:
    """Issue a token for a user and show it once."""
    try:
        issued = tokens.issue(user_id, days=config.token_days, label="admin page")
    except UserError:
        return _users_page(request, tokens, error="user_invalid", status=404)
    return _users_page(request, tokens, issued=issued.token)


@router.post("/tokens/{token_id}/revoke")
def revoke_token(token_id: RowId, tokens: TokensDep, trail: AuditEntryDep) -> Response:
    """Revoke a token."""
    if tokens.revoke(token_id) is None:
        trail.skipped = True  # no such token: nothing changed
    return RedirectResponse("/ui/admin/users?saved=revoked", status_code=303)


def _day(text: str) -> datetime | None:
    """The start (UTC) of a day given as YYYY-MM-DD, as a date field sends it (None when empty or not a date)."""
    try:
        return datetime.combine(date.fromisoformat(text), time(), UTC) if text else None
    except ValueError:
        return None


@router.get("/audit")
def audit_page(
    request: Request,
    audit: AuditDep,
    tokens: TokensDep,
    actor: Annotated[str, Query(max_length=200)] = "",
    action: Annotated[str, Query(max_length=32)] = "",
    target: Annotated[str, Query(max_length=64)] = "",
    since: Annotated[str, Query(max_length=10)] = "",
    until: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    """The audit log, newest first, filtered by who, what, which record and which days (``until`` included)."""
    chosen = AuditAction(action) if action in AuditAction.__members__ else None
    first, last = _day(since), _day(until)
    events = audit.search(
        actor=actor or None, action=chosen, target=target or None, limit=200,
        since=first, until=last + timedelta(days=1) if last else None,
    )  # fmt: skip
    form = {"actor": actor, "action": action, "target": target, "since": since, "until": until}
    names = {f"user:{u.id}": u.name for u in tokens.users()}
    return page(
        request, "admin_audit.html", events=events, form=form, actions=[a.value for a in AuditAction], names=names
    )


@router.get("/quarantine")
def quarantine_page(request: Request, engine: EngineDep) -> Response:
    """Rejected records with the field and reason (the original lines are not shown here)."""
    words = translator(reader_language(request))
    rows = [row | {"said": quarantine_reason(row, words)} for row in export_quarantine(engine, limit=500)]
    return page(request, "admin_quarantine.html", rows=rows)


def quarantine_reason(row: dict[str, Any], words: Words) -> str | None:
    """A quarantined record's first reason in the reader's language, from the kind of problem stored with it
    (``ingestion.validation.FieldError.code``) and the values it names; None when its kind has no wording (a row
    stored before kinds were, or a problem only the English reason says), and the English reason is shown."""
    errors = row.get("errors")
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
    code = first.get("code")
    if not isinstance(code, str) or f"qr_{code}" not in words:
        return None
    stored = first.get("params")
    params: dict[str, Any] = stored if isinstance(stored, dict) else {}
    try:
        return words[f"qr_{code}"].format(**{name: _number(str(value)) for name, value in params.items()})
    except (KeyError, IndexError, ValueError):
        return None


def _number(value: str) -> str:
    """A bound as French and Dutch write it ("60", "2,5"); any other value as it is."""
    try:
        number = float(value)
    except ValueError:
        return value
    if not math.isfinite(number) or value.strip().lower() in ("nan", "inf", "infinity"):
        return value
    return str(int(number)) if number.is_integer() else value.replace(".", ",")


@router.get("/exposure")
def exposure_page(
    request: Request,
    fairness: FairnessDep,
    jobs: JobsDep,
    run: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    """The exposure audit: the run going on (with its progress), the latest runs, and one run's ratios per group
    on the engine's lists and as shown."""
    runs = fairness.exposure.runs(20)
    chosen = fairness.exposure.run(run) if run is not None or runs else None
    latest = jobs.latest(EXPOSURE_JOB, 1)
    return page(
        request,
        "admin_exposure.html",
        runs=runs,
        chosen=chosen,
        attributes=fairness.exposure.count(),
        alpha=fairness.config.alpha,
        permutations=fairness.config.permutations,
        job=latest[0] if latest else None,
    )


def run_in_background(
    jobs: JobStore, job: Job, work: Callable[[Callable[[str, int, int], None]], dict[str, Any]]
) -> None:
    """Run a job's work in a thread of this process; its steps, result or failure go to the database."""

    def target() -> None:
        try:
            result = work(lambda stage, done, total: jobs.step(job.id, stage, done, total))
        except Exception as exc:  # noqa: BLE001 - the job records the failure; the page shows it
            log.warning("background job %s (%s) failed: %s", job.id, job.kind, type(exc).__name__)
            jobs.fail(job.id, type(exc).__name__)
        else:
            jobs.finish(job.id, result)

    threading.Thread(target=target, name=f"job-{job.id}", daemon=True).start()


@router.post("/exposure")
def run_exposure(fairness: FairnessDep, jobs: JobsDep, principal: PrincipalDep) -> Response:
    """Start the exposure audit now (every open vacancy's list) in the background; the page shows its progress."""
    try:
        job = jobs.start(EXPOSURE_JOB, principal.name)
    except JobRunning:
        return RedirectResponse("/ui/admin/exposure", status_code=303)

    def work(step: Callable[[str, int, int], None]) -> dict[str, Any]:
        done = fairness.exposure_audit(progress=step)
        return {"run_id": done.run_id, "alerts": done.alerts, "lists": done.lists}

    run_in_background(jobs, job, work)
    return RedirectResponse("/ui/admin/exposure", status_code=303)


@router.get("/jobs/{job_id}")
def job_fragment(request: Request, job_id: RowId, jobs: JobsDep) -> Response:
    """A run's progress (an htmx fragment the page polls while the run goes on)."""
    return page(request, "_job.html", job=jobs.get(job_id))


@router.get("/runs")
def runs_page(request: Request, jobs: JobsDep, engine: EngineDep) -> Response:
    """Long runs: those started from these pages and the nightly rematch runs, with their progress."""
    repository = RematchRepository(engine)
    rematch = [(r, repository.chunk_count(r.id)) for r in repository.runs(10)]
    return page(request, "admin_runs.html", jobs=jobs.latest(None, 20), rematch=rematch)
