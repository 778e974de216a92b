"""The nightly rematch: the latest run, and per jobseeker and per vacancy the matches new since the last run."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel

from api.audit import AuditEntry
from api.auth.rules import AuditEntryDep
from api.deps import EngineDep, MatcherDep
from api.routes.common import MAX_ID, JobseekerId, LangParam, VacancyId
from matching.profiles import ProfileKind
from matching.rematch.reading import explain_matches, previous_success
from matching.rematch.repository import RematchRepository, RunInfo

router = APIRouter(prefix="/rematch", tags=["rematch"])


class NewMatchOut(BaseModel):
    """A match that entered the list, with its score parts and an explanation built now."""

    id: str
    rank: int
    score: float
    components: dict[str, float]
    previous_score: float | None
    since_run: int
    explanation: dict[str, Any] | None


class NewMatchesOut(BaseModel):
    """The matches of a list that are new since a run."""

    run_id: int
    """The latest successful run."""
    since_run: int
    """Matches that entered the list after this run are listed (0: since the first run)."""
    matches: list[NewMatchOut]


SinceParam = Annotated[
    int | None,
    Query(ge=0, le=MAX_ID, description="List matches new after this run (default: the run before the latest)."),
]


@router.get("/runs/latest", response_model=RunInfo)
def latest_run(engine: EngineDep) -> RunInfo:
    """The most recent rematch run, whatever its status."""
    run = RematchRepository(engine).latest_run()
    if run is None:
        raise HTTPException(status_code=404, detail="no rematch run yet: run `skillmatch rematch`")
    return run


def _new(
    engine: EngineDep,
    matcher: MatcherDep,
    kind: ProfileKind,
    profile_id: str,
    lang: str | None,
    since: int | None,
    trail: AuditEntry,
) -> NewMatchesOut:
    """The matches new in one list since a run, explained (their ids go to the request's audit row)."""
    repository = RematchRepository(engine)
    run = repository.latest_run(status="succeeded")
    if run is None:
        raise HTTPException(status_code=404, detail="no successful rematch run yet: run `skillmatch rematch`")
    after = previous_success(repository, run) if since is None else since
    explained = explain_matches(matcher, kind, profile_id, repository.new_since(kind, profile_id, after), lang)
    found = NewMatchesOut(run_id=run.id, since_run=after, matches=[NewMatchOut(**item.to_json()) for item in explained])
    trail.results, trail.params = [m.id for m in found.matches], {"since_run": after, "lang": lang}
    return found


@router.get(
    "/jobseekers/{jobseeker_id}/new",
    response_model=NewMatchesOut,
)
def new_vacancies(
    jobseeker_id: JobseekerId,
    engine: EngineDep,
    matcher: MatcherDep,
    trail: AuditEntryDep,
    lang: LangParam = None,
    since_run: SinceParam = None,
) -> NewMatchesOut:
    """Vacancies new in a jobseeker's list since the last run, explained in the reader's language (audited)."""
    return _new(engine, matcher, ProfileKind.jobseeker, jobseeker_id, lang.value if lang else None, since_run, trail)


@router.get("/vacancies/{vacancy_id}/new", response_model=NewMatchesOut)
def new_candidates(
    vacancy_id: VacancyId,
    engine: EngineDep,
    matcher: MatcherDep,
    trail: AuditEntryDep,
    lang: LangParam = None,
    since_run: SinceParam = None,
) -> NewMatchesOut:
    """Candidates new in a vacancy's list since the last run, explained in the reader's language (audited)."""
    return _new(engine, matcher, ProfileKind.vacancy, vacancy_id, lang.value if lang else None, since_run, trail)
