"""Vacancies: submit (screened for discriminatory wording), read, close or delete one, and its best candidates."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Response, status

from api.auth.rules import AuditEntryDep
from api.deps import CorrectionsDep, EngineDep, IngestionDep, MatcherDep, MetricsDep
from api.routes.common import IngestOut, KParam, LangParam, RecordOut, VacancyId, filter_params, filters_dependency
from api.routes.records import delete_record, read_row, replace_field
from api.strict import strict_body
from ingestion.models import RecordKind
from ingestion.schemas import VacancyIn
from matching.ranking import Filters, Match

router = APIRouter(prefix="/vacancies", tags=["vacancies"])
VACANCY_EXAMPLE = {
    "id": "V00042",
    "language": "nl",
    "title": "Bakker (m/v/x)",
    "description": "Je bakt brood en gebak in ons atelier in Brussel.",
    "required_skills": [{"uri": "http://data.europa.eu/esco/skill/5626b3b1-5415-47f6-acf1-b573d457d180"}],
    "language_requirements": {"nl": "B1"},
    "postcode": "1000",
    "contract": {"type": "permanent", "working_time": "full_time"},
}


@router.post(
    "",
    response_model=IngestOut,
    responses={201: {"model": IngestOut, "description": "Created"}},
    dependencies=[strict_body(VacancyIn)],
)
def submit_vacancy(
    record: Annotated[VacancyIn, Body(examples=[VACANCY_EXAMPLE])],
    service: IngestionDep,
    response: Response,
    metrics: MetricsDep,
) -> IngestOut:
    """Submit a vacancy (created, updated or unchanged); flagged wording is kept and shown, staff decide."""
    result = service.store_one(record)
    metrics.ingested.labels("vacancy", result.status).inc()
    if result.status == "accepted":
        response.status_code = status.HTTP_201_CREATED
    return IngestOut(status=result.status, id=result.record_id, warnings=result.warnings)


@router.get("/{vacancy_id}", response_model=RecordOut)
def get_vacancy(vacancy_id: VacancyId, engine: EngineDep, corrections: CorrectionsDep) -> RecordOut:
    """A stored vacancy with its ESCO links (the occupations proposed for its title), the discrimination screen's
    flags and the corrections people made."""
    row = read_row(engine, "vacancy", vacancy_id)
    return RecordOut(
        id=row["id"], data=row["data"], links=row["links"], flags=row["flags"],
        updated_at=row["updated_at"].isoformat(), corrections=corrections.history(RecordKind.vacancy, vacancy_id),
    )  # fmt: skip


@router.post("/{vacancy_id}/close", response_model=IngestOut)
def close_vacancy(vacancy_id: VacancyId, service: IngestionDep, engine: EngineDep) -> IngestOut:
    """Close a vacancy: it leaves matching and stays stored (submit it again with ``status: open`` to reopen)."""
    return replace_field(service, engine, RecordKind.vacancy, vacancy_id, status="closed")


@router.delete(
    "/{vacancy_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
)
def delete_vacancy(vacancy_id: VacancyId, service: IngestionDep) -> Response:
    """Delete a vacancy and its profile."""
    delete_record(service, RecordKind.vacancy, vacancy_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{vacancy_id}/candidates", response_model=list[Match])
def candidates_for_vacancy(
    vacancy_id: VacancyId,
    matcher: MatcherDep,
    filters: Annotated[Filters, Depends(filters_dependency)],
    trail: AuditEntryDep,
    k: KParam = 10,
    lang: LangParam = None,
) -> list[Match]:
    """The best active jobseekers for a vacancy, each with score components and an explanation (audited)."""
    matches = matcher.candidates(vacancy_id, k, filters, lang.value if lang else None)
    params = filter_params(filters) | {"k": k, "lang": lang.value if lang else None}
    trail.results, trail.params = [m.id for m in matches], params
    return matches
