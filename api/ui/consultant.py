"""The consultant's pages: choose or paste a vacancy, its explained candidates with filters, the shortlist
and its CSV export, and a candidate's anonymised profile."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from sqlalchemy import func, select
from starlette.responses import RedirectResponse, Response

from api.anonymise import anonymise
from api.auth.rules import AuditEntryDep, PrincipalDep
from api.deps import EngineDep, IngestionDep, MatcherDep, ServicesDep, ShortlistsDep
from api.routes.common import VacancyId, filter_params
from api.routes.records import read_row
from api.routes.shortlists import export_shortlist
from api.shortlist import ShortlistStatus
from api.ui.i18n import reader_language
from api.ui.render import page
from ingestion.models import RecordKind, VacancyRecord
from ingestion.schemas import Cefr, DrivingLicence, Region
from ingestion.validation import InvalidRecord
from matching.ranking import Filters

router = APIRouter(prefix="/ui/vacancies", include_in_schema=False)
LEVELS = tuple(c.value for c in Cefr)


@router.get("")
def vacancies_page(request: Request, engine: EngineDep, q: Annotated[str, Query(max_length=100)] = "") -> Response:
    """Open vacancies to choose from (filtered by title), and a form to paste a new one."""
    table = VacancyRecord.__table__  # type: ignore[attr-defined]
    query = select(table.c.id, table.c.language, table.c.data, table.c.flags).where(table.c.status == "open")
    if q.strip():
        query = query.where(func.lower(table.c.data["title"].as_string()).contains(q.strip().lower()))
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(table.c.id).limit(100)).all()
    vacancies = [
        {"id": r.id, "language": r.language, "title": r.data.get("title"), "flags": len(r.flags)} for r in rows
    ]
    return page(request, "vacancies.html", vacancies=vacancies, q=q, error=None)


@router.post("")
def paste_vacancy(
    request: Request,
    service: IngestionDep,
    title: Annotated[str, Form(max_length=200)],
    language: Annotated[str, Form(pattern="^(fr|nl)$")] = "fr",
    description: Annotated[str, Form(max_length=20_000)] = "",
    skills: Annotated[str, Form(max_length=5_000)] = "",
) -> Response:
    """Store a pasted vacancy (linked to ESCO and screened like any other) and show its candidates."""
    record = {
        "id": f"V-UI-{secrets.token_hex(4)}",
        "title": title,
        "language": language,
        "description": description or None,
        "required_skills": [line.strip() for line in skills.splitlines() if line.strip()],
    }
    try:
        result = service.ingest_one(RecordKind.vacancy, record)
    except InvalidRecord as exc:
        return page(request, "vacancies.html", status=422, vacancies=[], q="", error=str(exc))
    return RedirectResponse(f"/ui/vacancies/{result.record_id}", status_code=303)


def _filters(nl: str, fr: str, region: str, licence: str, max_km: str) -> Filters:
    levels = {lang: Cefr(level).rank for lang, level in (("nl", nl), ("fr", fr)) if level in LEVELS}
    km = float(max_km) if max_km.isdigit() and 0 < int(max_km) <= 500 else None
    return Filters(
        min_languages=levels,
        driving_licences=(licence,) if licence in DrivingLicence.__members__ else (),
        regions=(region,) if region in Region.__members__ else (),
        max_km=km,
    )


@router.get("/{vacancy_id}")
def candidates_page(
    request: Request,
    vacancy_id: VacancyId,
    engine: EngineDep,
    matcher: MatcherDep,
    shortlists: ShortlistsDep,
    trail: AuditEntryDep,
    nl: Annotated[str, Query(max_length=2)] = "",
    fr: Annotated[str, Query(max_length=2)] = "",
    region: Annotated[str, Query(max_length=20)] = "",
    licence: Annotated[str, Query(max_length=4)] = "",
    max_km: Annotated[str, Query(max_length=4)] = "",
) -> Response:
    """A vacancy's screen flags first, then its ranked, explained candidates (audited)."""
    row = read_row(engine, "vacancy", vacancy_id)
    filters = _filters(nl, fr, region, licence, max_km)
    lang = reader_language(request)
    matches = matcher.candidates(vacancy_id, 20, filters, lang)
    trail.results = [m.id for m in matches]
    trail.params = filter_params(filters) | {"k": 20, "lang": lang, "page": True}
    form = {"nl": nl, "fr": fr, "region": region, "licence": licence, "max_km": max_km}
    return page(
        request,
        "candidates.html",
        vacancy={"id": vacancy_id, "title": row["data"].get("title")},
        flags=row["flags"],
        matches=matches,
        form=form,
        shortlisted={e.jobseeker_id: e.status.value for e in shortlists.of(vacancy_id)},
    )


@router.get("/{vacancy_id}/shortlist")
def shortlist_page(request: Request, vacancy_id: VacancyId, engine: EngineDep, shortlists: ShortlistsDep) -> Response:
    """A vacancy's shortlist with a status per candidate."""
    row = read_row(engine, "vacancy", vacancy_id)
    return page(
        request,
        "shortlist.html",
        vacancy={"id": vacancy_id, "title": row["data"].get("title")},
        entries=shortlists.of(vacancy_id),
        statuses=[s.value for s in ShortlistStatus],
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
    target = f"/ui/vacancies/{vacancy_id}" if back == "candidates" else f"/ui/vacancies/{vacancy_id}/shortlist"
    return RedirectResponse(target, status_code=303)


@router.post("/{vacancy_id}/shortlist/remove")
def shortlist_remove(
    vacancy_id: VacancyId, shortlists: ShortlistsDep, jobseeker_id: Annotated[str, Form(max_length=64)]
) -> Response:
    """Take a candidate off the shortlist."""
    shortlists.remove(vacancy_id, jobseeker_id)
    return RedirectResponse(f"/ui/vacancies/{vacancy_id}/shortlist", status_code=303)


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
    return page(request, "anonymised.html", profile=profile, vacancy_id=vacancy_id)
