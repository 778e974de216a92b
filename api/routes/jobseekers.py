"""Jobseekers: submit, read, deactivate or delete a dossier; the vacancies that suit it; its anonymised form."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Response, status

from api.anonymise import AnonymisedProfile, anonymise
from api.auth.rules import AuditEntryDep, PrincipalDep, ensure_own
from api.deps import (
    CorrectionsDep,
    EngineDep,
    FairnessDep,
    IngestionDep,
    MatcherDep,
    MetricsDep,
    ServicesDep,
    ShortlistsDep,
)
from api.routes.common import IngestOut, JobseekerId, KParam, LangParam, RecordOut, filter_params, filters_dependency
from api.routes.records import read_row, replace_field
from api.strict import strict_body
from ingestion.models import RecordKind
from ingestion.schemas import JobseekerIn
from matching.ranking import Filters, Match

router = APIRouter(prefix="/jobseekers", tags=["jobseekers"])
JOBSEEKER_EXAMPLE = {
    "id": "J00042",
    "preferred_language": "fr",
    "experiences": [{"title": "Boulanger", "years": 6}],
    "skills": [{"uri": "http://data.europa.eu/esco/skill/5626b3b1-5415-47f6-acf1-b573d457d180"}, "pétrir la pâte"],
    "languages": {"fr": "C2", "nl": "B1"},
    "driving_licences": ["B"],
    "postcode": "1000",
    "travel": {"regions": ["brussels"], "max_km": 30},
}
OWN = "jobseeker_id"


@router.post(
    "",
    response_model=IngestOut,
    responses={201: {"model": IngestOut, "description": "Created"}},
    dependencies=[strict_body(JobseekerIn)],
)
def submit_jobseeker(
    record: Annotated[JobseekerIn, Body(examples=[JOBSEEKER_EXAMPLE])],
    service: IngestionDep,
    response: Response,
    principal: PrincipalDep,
    metrics: MetricsDep,
    trail: AuditEntryDep,
) -> IngestOut:
    """Submit a dossier (created, updated or unchanged); protected attributes are dropped. A jobseeker may
    submit only their own."""
    ensure_own(principal, record.id)
    trail.target = record.id
    result = service.store_one(record)
    metrics.ingested.labels("jobseeker", result.status).inc()
    if result.status == "accepted":
        response.status_code = status.HTTP_201_CREATED
    return IngestOut(status=result.status, id=result.record_id, warnings=result.warnings)


@router.get("/{jobseeker_id}", response_model=RecordOut)
def get_jobseeker(
    jobseeker_id: JobseekerId, engine: EngineDep, trail: AuditEntryDep, corrections: CorrectionsDep
) -> RecordOut:
    """A stored dossier with the ESCO concepts linked from its text and the corrections people made (recorded in
    the audit log)."""
    row = read_row(engine, "jobseeker", jobseeker_id)
    trail.results = [jobseeker_id]
    return RecordOut(
        id=row["id"], data=row["data"], links=row["links"], flags=None, updated_at=row["updated_at"].isoformat(),
        corrections=corrections.history(RecordKind.jobseeker, jobseeker_id),
    )  # fmt: skip


@router.post("/{jobseeker_id}/deactivate", response_model=IngestOut)
def deactivate_jobseeker(jobseeker_id: JobseekerId, service: IngestionDep, engine: EngineDep) -> IngestOut:
    """Take a dossier out of matching (kept, and back in when submitted again with ``active: true``)."""
    return replace_field(service, engine, RecordKind.jobseeker, jobseeker_id, active=False)


@router.delete(
    "/{jobseeker_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
)
def delete_jobseeker(jobseeker_id: JobseekerId, fairness: FairnessDep, shortlists: ShortlistsDep) -> Response:
    """Erase a dossier (a jobseeker their own, an admin any): the record, its profile, quarantined versions,
    opt-out and contests; consultants' decisions and audit rows are kept as ids only; it leaves every shortlist."""
    fairness.rights.erase(jobseeker_id)
    shortlists.forget_jobseeker(jobseeker_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{jobseeker_id}/vacancies", response_model=list[Match])
def vacancies_for_jobseeker(
    jobseeker_id: JobseekerId,
    matcher: MatcherDep,
    filters: Annotated[Filters, Depends(filters_dependency)],
    trail: AuditEntryDep,
    k: KParam = 10,
    lang: LangParam = None,
) -> list[Match]:
    """The open vacancies that suit a jobseeker best: what matches, what is missing, and why (audited)."""
    matches = matcher.vacancies_for(jobseeker_id, k, filters, lang.value if lang else None)
    params = filter_params(filters) | {"k": k, "lang": lang.value if lang else None}
    trail.results, trail.params = [m.id for m in matches], params
    return matches


@router.get("/{jobseeker_id}/anonymised", response_model=AnonymisedProfile)
def anonymised_jobseeker(
    jobseeker_id: JobseekerId,
    engine: EngineDep,
    services: ServicesDep,
    trail: AuditEntryDep,
    lang: LangParam = None,
) -> AnonymisedProfile:
    """A dossier without name or contact, to send to an employer (audited)."""
    row = read_row(engine, "jobseeker", jobseeker_id)
    trail.results = [jobseeker_id]
    return anonymise(row, services.taxonomy, lang.value if lang else row["preferred_language"])
