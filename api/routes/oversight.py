"""Human oversight (consultant role): candidate lists as shown, pins and exclusions with a reason, contests."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, Field

from api.auth.rules import AuditEntryDep, PrincipalDep
from api.deps import FairnessDep
from api.errors import Conflict
from api.routes.common import KParam, LangParam, RowId, filter_params, filters_dependency
from ingestion.text_clean import VISIBLE
from matching.fairness import MAX_REASON, DecisionAction, InvalidDecision
from matching.ranking import Filters

router = APIRouter(prefix="/oversight", tags=["oversight"])


class DecisionIn(BaseModel):
    """A consultant's decision about one candidate of a vacancy."""

    jobseeker_id: str = Field(min_length=1, max_length=64)
    action: DecisionAction
    reason: str = Field(min_length=1, max_length=MAX_REASON, pattern=VISIBLE)


class AnswerIn(BaseModel):
    """A consultant's answer to a jobseeker's contest."""

    answer: str = Field(min_length=1, max_length=5_000, pattern=VISIBLE)


@router.get("/vacancies/{vacancy_id}/candidates")
def reviewed_candidates(
    vacancy_id: str,
    fairness: FairnessDep,
    filters: Annotated[Filters, Depends(filters_dependency)],
    k: KParam = 10,
    lang: LangParam = None,
) -> dict[str, Any]:
    """A vacancy's candidates as shown: pinned ones on top, excluded ones out and listed apart with the reason."""
    return fairness.reviewed.candidates(vacancy_id, k, filters, lang.value if lang else None).to_json()


@router.get("/vacancies/{vacancy_id}/candidates/{jobseeker_id}")
def look_up_candidate(
    vacancy_id: str,
    jobseeker_id: str,
    fairness: FairnessDep,
    trail: AuditEntryDep,
    filters: Annotated[Filters, Depends(filters_dependency)],
    k: KParam = 10,
    lang: LangParam = None,
) -> dict[str, Any]:
    """One person against a vacancy's list as shown: their score and explanation, their place, and why they are
    not listed (``excluded``, ``unavailable``, ``filter.*``, ``below``) (audited)."""
    found = fairness.reviewed.lookup(vacancy_id, jobseeker_id, k, filters, lang.value if lang else None)
    params = filter_params(filters) | {"k": k, "lang": lang.value if lang else None}
    trail.results, trail.params = [jobseeker_id], params
    return found.to_json()


@router.post("/vacancies/{vacancy_id}/decisions", status_code=status.HTTP_201_CREATED)
def decide(vacancy_id: str, decision: DecisionIn, fairness: FairnessDep, principal: PrincipalDep) -> dict[str, Any]:
    """Pin or exclude a candidate for a vacancy, or revoke the current decision (logged: who, when, why).

    Who decides is the signed-in consultant.
    """
    log = fairness.oversight
    act = {DecisionAction.pin: log.pin, DecisionAction.exclude: log.exclude, DecisionAction.revoke: log.revoke}
    try:
        return act[decision.action](vacancy_id, decision.jobseeker_id, decision.reason, principal.name).to_json()
    except InvalidDecision as exc:  # a revocation of nothing (the reason's rules are the body's schema)
        raise Conflict(str(exc)) from exc


@router.get("/vacancies/{vacancy_id}/decisions")
def decisions(vacancy_id: str, fairness: FairnessDep) -> list[dict[str, Any]]:
    """Every pin, exclusion and revocation of a vacancy's candidates, oldest first."""
    return [d.to_json() for d in fairness.oversight.history(vacancy_id=vacancy_id)]


@router.get("/contests")
def contests(
    fairness: FairnessDep, state: Annotated[str | None, Query(alias="status", pattern="^(open|answered)$")] = "open"
) -> list[dict[str, Any]]:
    """Jobseekers' contests of their suggestions (open ones by default)."""
    return fairness.rights.contests(status=state)


@router.post("/contests/{contest_id}/answer")
def answer_contest(contest_id: RowId, body: AnswerIn, fairness: FairnessDep, principal: PrincipalDep) -> dict[str, Any]:
    """Answer a jobseeker's contest (as the signed-in consultant)."""
    return fairness.rights.answer(contest_id, principal.name, body.answer)
