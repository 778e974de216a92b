"""Vacancies: submit one (screened for discriminatory wording), read it back, and its best candidates."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from api.deps import EngineDep, IngestionDep, MatcherDep
from api.routes.common import IngestOut, KParam, LangParam, RecordOut, filters_dependency
from api.routes.records import read_record
from ingestion.schemas import VacancyIn
from matching.engine import Match
from matching.filters import Filters

router = APIRouter(prefix="/vacancies", tags=["vacancies"])


@router.post("", response_model=IngestOut, responses={201: {"model": IngestOut}})
def submit_vacancy(record: VacancyIn, service: IngestionDep, response: Response) -> IngestOut:
    """Submit a vacancy (created, updated or unchanged); flagged wording is kept and shown, staff decide."""
    result = service.store_one(record)
    if result.status == "accepted":
        response.status_code = status.HTTP_201_CREATED
    return IngestOut(status=result.status, id=result.record_id, warnings=result.warnings)


@router.get("/{vacancy_id}", response_model=RecordOut)
def get_vacancy(vacancy_id: str, engine: EngineDep) -> RecordOut:
    """A stored vacancy with its ESCO links and the discrimination screen's flags."""
    return read_record(engine, "vacancy", vacancy_id)


@router.get("/{vacancy_id}/candidates", response_model=list[Match])
def candidates_for_vacancy(
    vacancy_id: str,
    matcher: MatcherDep,
    filters: Annotated[Filters, Depends(filters_dependency)],
    k: KParam = 10,
    lang: LangParam = None,
) -> list[Match]:
    """The best active jobseekers for a vacancy, each with score components and an explanation."""
    return matcher.candidates(vacancy_id, k, filters, lang.value if lang else None)
