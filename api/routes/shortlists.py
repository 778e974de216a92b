"""A vacancy's shortlist: candidates with a status each, and its CSV export (audited)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, Field

from api.auth.rules import AuditEntryDep, PrincipalDep
from api.deps import EngineDep, ShortlistsDep
from api.routes.common import JobseekerId, VacancyId
from api.routes.records import read_row
from api.shortlist import ShortlistEntry, Shortlists, ShortlistStatus, to_csv
from api.strict import strict_body
from matching.errors import UnknownProfile

router = APIRouter(prefix="/vacancies", tags=["shortlists"])


class ShortlistIn(BaseModel):
    """A candidate's status on a shortlist."""

    status: ShortlistStatus = Field(examples=["contacted"])
    score: float | None = Field(default=None, ge=0, le=1, description="The match score when first added.")

    model_config = {"json_schema_extra": {"examples": [{"status": "proposed", "score": 0.82}]}}


class ShortlistOut(BaseModel):
    """A shortlisted candidate."""

    vacancy_id: str
    jobseeker_id: str
    status: ShortlistStatus
    score: float | None
    updated_at: datetime
    updated_by: str


def _out(entry: ShortlistEntry) -> ShortlistOut:
    return ShortlistOut(**entry.__dict__)


def export_rows(shortlists: Shortlists, vacancy_id: str) -> tuple[list[str], list[list[str]]]:
    """The CSV header and rows of a shortlist (ids, status, score, date: no names or contact)."""
    header = ["vacancy_id", "jobseeker_id", "status", "score", "updated_at"]
    rows = [
        [e.vacancy_id, e.jobseeker_id, e.status.value, "" if e.score is None else f"{e.score:.3f}",
         e.updated_at.isoformat(timespec="seconds")]
        for e in shortlists.of(vacancy_id)
    ]  # fmt: skip
    return header, rows


@router.get("/{vacancy_id}/shortlist", response_model=list[ShortlistOut])
def get_shortlist(vacancy_id: VacancyId, engine: EngineDep, shortlists: ShortlistsDep) -> list[ShortlistOut]:
    """A vacancy's shortlist, best score first."""
    read_row(engine, "vacancy", vacancy_id)
    return [_out(e) for e in shortlists.of(vacancy_id)]


@router.put(
    "/{vacancy_id}/shortlist/{jobseeker_id}", response_model=ShortlistOut, dependencies=[strict_body(ShortlistIn)]
)
def put_shortlisted(
    vacancy_id: VacancyId,
    jobseeker_id: JobseekerId,
    body: ShortlistIn,
    engine: EngineDep,
    shortlists: ShortlistsDep,
    principal: PrincipalDep,
) -> ShortlistOut:
    """Add a candidate to the shortlist or change their status (proposed, contacted, sent to the employer,
    hired, rejected)."""
    read_row(engine, "vacancy", vacancy_id)
    read_row(engine, "jobseeker", jobseeker_id)
    return _out(shortlists.put(vacancy_id, jobseeker_id, body.status, principal.subject, body.score))


@router.delete(
    "/{vacancy_id}/shortlist/{jobseeker_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response
)
def remove_shortlisted(vacancy_id: VacancyId, jobseeker_id: JobseekerId, shortlists: ShortlistsDep) -> Response:
    """Take a candidate off the shortlist."""
    if not shortlists.remove(vacancy_id, jobseeker_id):
        raise UnknownProfile(f"{jobseeker_id!r} is not on the shortlist of {vacancy_id!r}")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{vacancy_id}/shortlist.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "The shortlist as CSV"}},
)
def export_shortlist(
    vacancy_id: VacancyId, engine: EngineDep, shortlists: ShortlistsDep, trail: AuditEntryDep
) -> Response:
    """The shortlist as CSV (cells that a spreadsheet would run as a formula are neutralised; audited)."""
    read_row(engine, "vacancy", vacancy_id)
    header, rows = export_rows(shortlists, vacancy_id)
    trail.results, trail.params = [r[1] for r in rows], {"format": "csv"}
    return Response(
        to_csv(header, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="shortlist-{vacancy_id}.csv"'},
    )
