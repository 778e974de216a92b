"""The consultant's pages: a vacancy's explained candidates as shown (pins on top, exclusions out) with filters,
a count, more, and one person looked up; the shortlist and its CSV export; a candidate's anonymised profile.
The list of vacancies, a pasted one and a vacancy's edit are in ``api.ui.vacancy_list``."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from api.anonymise import anonymise
from api.audit_actions import AuditAction
from api.auth.policy import PLACEMENT
from api.auth.rules import AuditEntryDep, PrincipalDep
from api.deps import (
    AuditDep,
    CorrectionsDep,
    EngineDep,
    FairnessDep,
    InterestsDep,
    ServicesDep,
    ShortlistsDep,
)
from api.routes.common import VacancyId, build_filters, filter_params
from api.routes.records import read_row
from api.routes.shortlists import export_shortlist
from api.shortlist import ShortlistStatus
from api.ui.corrections import SAID
from api.ui.i18n import reader_language
from api.ui.render import page
from api.ui.understood import LEVELS, understood
from api.ui.vacancy_list import occupation_uri
from ingestion.models import RecordKind
from matching.errors import UnknownProfile
from matching.fairness import DecisionAction, InvalidDecision
from matching.ranking import Band, Filters

router = APIRouter(prefix="/ui/vacancies", include_in_schema=False)
FIRST_PAGE, MORE, MOST = 20, 20, 200
"""Candidates shown at first, added by "more", and at most."""


def _filters(nl: str, fr: str, region: str, licence: str, max_km: str) -> Filters:
    """The page's filter fields, read as the API reads its query (``build_filters``)."""
    try:
        km = float(max_km) if max_km.strip() else None
    except ValueError:
        km = None
    return build_filters({"nl": nl, "fr": fr}, [licence], [region], km)


@router.get("/{vacancy_id}")
def candidates_page(
    request: Request,
    vacancy_id: VacancyId,
    engine: EngineDep,
    fairness: FairnessDep,
    shortlists: ShortlistsDep,
    interests: InterestsDep,
    principal: PrincipalDep,
    audit: AuditDep,
    trail: AuditEntryDep,
    corrections: CorrectionsDep,
    nl: Annotated[str, Query(max_length=2)] = "",
    fr: Annotated[str, Query(max_length=2)] = "",
    region: Annotated[str, Query(max_length=20)] = "",
    licence: Annotated[str, Query(max_length=4)] = "",
    max_km: Annotated[str, Query(max_length=4)] = "",
    k: Annotated[int, Query(ge=1, le=MOST)] = FIRST_PAGE,
    who: Annotated[str, Query(max_length=64)] = "",
    saved: Annotated[str, Query(max_length=32)] = "",
    said: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """A vacancy's screen flags first, what the engine understood from it (to confirm or correct in one click),
    then its candidates as shown (pins on top, exclusions out and listed apart) with their band, how many pass
    the filters, more of them, and one person looked up (audited)."""
    row = read_row(engine, "vacancy", vacancy_id)
    filters = _filters(nl, fr, region, licence, max_km)
    lang = reader_language(request)
    shown = fairness.reviewed.candidates(vacancy_id, k, filters, lang) if row["status"] == "open" else None
    ids = [c.match.id for c in shown.candidates] if shown else []
    trail.results = ids
    trail.params = filter_params(filters) | {"k": k, "lang": lang, "page": True}
    looked_up = None
    if who.strip() and row["status"] == "open":
        try:
            looked_up = fairness.reviewed.lookup(vacancy_id, who.strip(), k, filters, lang)
        except UnknownProfile:
            looked_up = None
        audit.record(
            principal, AuditAction.candidate_lookup, vacancy_id, [who.strip()] if looked_up else [],
            filter_params(filters) | {"k": k, "lang": lang, "page": True}, why=PLACEMENT,
        )  # fmt: skip
    form = {"nl": nl, "fr": fr, "region": region, "licence": licence, "max_km": max_km}
    bands = {c.match.band for c in shown.candidates} if shown else set()
    here = {key: value for key, value in form.items() if value}
    return page(
        request,
        "candidates.html",
        vacancy=row | {"title": row["data"].get("title"), "occupation": occupation_uri(row["data"], row["links"])},
        flags=row["flags"],
        shown=shown,
        form=form,
        k=k,
        more=min(MOST, k + MORE),
        most=MOST,
        here=urlencode(here | ({"k": k} if k != FIRST_PAGE else {})),
        more_url=f"/ui/vacancies/{vacancy_id}?{urlencode(here | {'k': min(MOST, k + MORE)})}#c-{len(ids) + 1}",
        who=who.strip(),
        looked_up=looked_up,
        saved=saved,
        shortlisted={e.jobseeker_id: e.status.value for e in shortlists.of(vacancy_id)},
        interested={i.jobseeker_id for i in interests.of_vacancy(vacancy_id)},
        seen=understood(RecordKind.vacancy, row, fairness.engine.store, corrections),
        levels=LEVELS,
        said=said if said in SAID else "",
        no_strong=bool(bands) and not bands & {Band.strong, Band.occupation_only},
        occupation_only=bands == {Band.occupation_only},
    )


@router.post("/{vacancy_id}/decisions")
def decide(
    vacancy_id: VacancyId,
    engine: EngineDep,
    fairness: FairnessDep,
    principal: PrincipalDep,
    trail: AuditEntryDep,
    jobseeker_id: Annotated[str, Form(min_length=1, max_length=64)],
    action: Annotated[DecisionAction, Form()],
    reason: Annotated[str, Form(max_length=1000)] = "",
    default_reason: Annotated[str, Form(max_length=200)] = "",
    back: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Pin, exclude or put back a candidate (an exclusion needs a reason; a pin may take the default one)."""
    read_row(engine, "vacancy", vacancy_id)
    if action is not DecisionAction.revoke:  # a decision about an erased dossier can still be revoked
        read_row(engine, "jobseeker", jobseeker_id)
    text = reason.strip() or (default_reason.strip() if action is not DecisionAction.exclude else "")
    query = urlencode([(k, v) for k, v in parse_qsl(back) if k in ("nl", "fr", "region", "licence", "max_km", "k")])
    trail.results = [jobseeker_id]
    if not text:
        trail.skipped = True
        return RedirectResponse(f"/ui/vacancies/{vacancy_id}?{query}&saved=reason_needed", status_code=303)
    log = fairness.oversight
    act = {DecisionAction.pin: log.pin, DecisionAction.exclude: log.exclude, DecisionAction.revoke: log.revoke}
    try:
        act[action](vacancy_id, jobseeker_id, text, principal.name)
    except InvalidDecision:
        trail.skipped = True
        return RedirectResponse(f"/ui/vacancies/{vacancy_id}?{query}&saved=nothing_to_revoke", status_code=303)
    return RedirectResponse(f"/ui/vacancies/{vacancy_id}?{query}&saved={action.value}", status_code=303)


@router.get("/{vacancy_id}/shortlist")
def shortlist_page(
    request: Request,
    vacancy_id: VacancyId,
    engine: EngineDep,
    shortlists: ShortlistsDep,
    saved: Annotated[str, Query(max_length=32)] = "",
    who: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    """A vacancy's shortlist with a status per candidate (and a word on what was just saved)."""
    row = read_row(engine, "vacancy", vacancy_id)
    return page(
        request,
        "shortlist.html",
        vacancy={"id": vacancy_id, "title": row["data"].get("title")},
        entries=shortlists.of(vacancy_id),
        statuses=[s.value for s in ShortlistStatus],
        saved=saved,
        who=who,
    )


@router.post("/{vacancy_id}/shortlist")
def shortlist_put(
    vacancy_id: VacancyId,
    engine: EngineDep,
    shortlists: ShortlistsDep,
    principal: PrincipalDep,
    jobseeker_id: Annotated[str, Form(max_length=64)],
    status: Annotated[ShortlistStatus, Form()],
    score: Annotated[float | None, Form(ge=0, le=1)] = None,
    back: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Add a candidate to the shortlist or change their status."""
    read_row(engine, "vacancy", vacancy_id)
    read_row(engine, "jobseeker", jobseeker_id)
    shortlists.put(vacancy_id, jobseeker_id, status, principal.subject, score)
    done = urlencode({"saved": "shortlisted" if back == "candidates" else "status", "who": jobseeker_id})
    target = f"/ui/vacancies/{vacancy_id}" if back == "candidates" else f"/ui/vacancies/{vacancy_id}/shortlist"
    return RedirectResponse(f"{target}?{done}", status_code=303)


@router.post("/{vacancy_id}/shortlist/remove")
def shortlist_remove(
    vacancy_id: VacancyId, shortlists: ShortlistsDep, jobseeker_id: Annotated[str, Form(max_length=64)]
) -> Response:
    """Take a candidate off the shortlist."""
    shortlists.remove(vacancy_id, jobseeker_id)
    done = urlencode({"saved": "removed", "who": jobseeker_id})
    return RedirectResponse(f"/ui/vacancies/{vacancy_id}/shortlist?{done}", status_code=303)


@router.get("/{vacancy_id}/shortlist.csv")
def shortlist_csv(
    vacancy_id: VacancyId, engine: EngineDep, shortlists: ShortlistsDep, trail: AuditEntryDep
) -> Response:
    """The shortlist as CSV, the same file as the API's (formula cells neutralised; audited)."""
    return export_shortlist(vacancy_id, engine, shortlists, trail)


@router.get("/{vacancy_id}/candidates/{jobseeker_id}")
def anonymised_page(
    request: Request,
    vacancy_id: VacancyId,
    jobseeker_id: str,
    engine: EngineDep,
    services: ServicesDep,
    trail: AuditEntryDep,
) -> Response:
    """A candidate's anonymised profile, to send to the employer (audited)."""
    row = read_row(engine, "jobseeker", jobseeker_id)
    trail.results, trail.params = [jobseeker_id], {"vacancy": vacancy_id}
    profile = anonymise(row, services.taxonomy, reader_language(request))
    # Skills in the jobseeker's own words are shown as typed, marked as text of unknown language (lang="").
    return page(request, "anonymised.html", profile=profile, vacancy_id=vacancy_id)
