"""The administrator's pages: users and tokens, the audit log, the exposure audit, the quarantine."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from api.audit import AuditAction
from api.auth.roles import Role
from api.auth.rules import AuditEntryDep
from api.auth.tokens import UserError
from api.deps import AuditDep, ConfigDep, EngineDep, FairnessDep, TokensDep
from api.routes.common import MAX_ID, RowId
from api.ui.render import page
from ingestion.quarantine import export_quarantine

router = APIRouter(prefix="/ui/admin", include_in_schema=False)


def _users_page(
    request: Request, tokens: TokensDep, issued: str | None = None, error: str | None = None, status: int = 200
) -> Response:
    users = tokens.users()
    by_user: dict[int, list[object]] = {}
    for info in tokens.tokens():
        by_user.setdefault(info.user_id, []).append(info)
    return page(request, "admin_users.html", status=status, users=users, tokens=by_user, issued=issued, error=error)


@router.get("/users")
def users_page(request: Request, tokens: TokensDep) -> Response:
    """Users and their tokens."""
    return _users_page(request, tokens)


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
    try:
        user = tokens.add_user(name, role, jobseeker_id.strip() or None)
    except UserError as exc:
        return _users_page(request, tokens, error=str(exc), status=422)
    trail.target = str(user.id)
    return RedirectResponse("/ui/admin/users", status_code=303)


@router.post("/users/{user_id}/tokens")
def issue_token(request: Request, user_id: RowId, tokens: TokensDep, config: ConfigDep) -> Response:
    """Issue a token for a user and show it once."""
    try:
        issued = tokens.issue(user_id, days=config.token_days, label="admin page")
    except UserError as exc:
        return _users_page(request, tokens, error=str(exc), status=404)
    return _users_page(request, tokens, issued=issued.token)


@router.post("/tokens/{token_id}/revoke")
def revoke_token(token_id: RowId, tokens: TokensDep, trail: AuditEntryDep) -> Response:
    """Revoke a token."""
    if tokens.revoke(token_id) is None:
        trail.skipped = True  # no such token: nothing changed
    return RedirectResponse("/ui/admin/users", status_code=303)


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
    return page(request, "admin_audit.html", events=events, form=form, actions=[a.value for a in AuditAction])


@router.get("/quarantine")
def quarantine_page(request: Request, engine: EngineDep) -> Response:
    """Rejected records with the field and reason (the original lines are not shown here)."""
    rows = export_quarantine(engine, limit=500)
    return page(request, "admin_quarantine.html", rows=rows)


@router.get("/exposure")
def exposure_page(
    request: Request, fairness: FairnessDep, run: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None
) -> Response:
    """The exposure audit: the latest runs, and one run's ratios per group on the engine's lists and as shown."""
    runs = fairness.audit.runs(20)
    chosen = fairness.audit.run(run) if run is not None or runs else None
    return page(
        request,
        "admin_exposure.html",
        runs=runs,
        chosen=chosen,
        attributes=fairness.audit.count(),
        alpha=fairness.config.alpha,
        permutations=fairness.config.permutations,
    )


@router.post("/exposure")
def run_exposure(fairness: FairnessDep) -> Response:
    """Run the exposure audit now (every open vacancy's list) and show it."""
    done = fairness.exposure_audit()
    return RedirectResponse(f"/ui/admin/exposure?run={done.run_id}", status_code=303)
