"""Jobseekers: submit a dossier, read it back, and the vacancies that suit it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from api.deps import EngineDep, IngestionDep, MatcherDep
from api.routes.common import IngestOut, KParam, LangParam, RecordOut, filters_dependency
from api.routes.records import read_record
from ingestion.schemas import JobseekerIn
from matching.engine import Match
from matching.filters import Filters

router = APIRouter(prefix="/jobseekers", tags=["jobseekers"])


@router.post("", response_model=IngestOut, responses={201: {"model": IngestOut}})
def submit_jobseeker(record: JobseekerIn, service: IngestionDep, response: Response) -> IngestOut:
    """Submit a jobseeker's dossier (created, updated or unchanged); protected attributes are dropped."""
    result = service.store_one(record)
    if result.status == "accepted":
        response.status_code = status.HTTP_201_CREATED
    return IngestOut(status=result.status, id=result.record_id, warnings=result.warnings)


@router.get("/{jobseeker_id}", response_model=RecordOut)
def get_jobseeker(jobseeker_id: str, engine: EngineDep) -> RecordOut:
    """A stored jobseeker with the ESCO concepts linked from its text."""
    return read_record(engine, "jobseeker", jobseeker_id)


@router.get("/{jobseeker_id}/vacancies", response_model=list[Match])
def vacancies_for_jobseeker(
    jobseeker_id: str,
    matcher: MatcherDep,
    filters: Annotated[Filters, Depends(filters_dependency)],
    k: KParam = 10,
    lang: LangParam = None,
) -> list[Match]:
    """The open vacancies that suit a jobseeker best: what matches, what is missing, and why."""
    return matcher.vacancies_for(jobseeker_id, k, filters, lang.value if lang else None)
