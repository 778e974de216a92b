"""The consultants' queue: jobseekers' contests of their suggestions (answered here) and their interest in
vacancies (followed up here), oldest first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from api.auth.rules import PrincipalDep
from api.deps import EngineDep, FairnessDep, InterestsDep
from api.routes.common import RowId, VacancyId
from api.routes.records import read_rows
from api.ui.render import page

router = APIRouter(prefix="/ui/queue", include_in_schema=False)


@router.get("")
def queue_page(
    request: Request,
    engine: EngineDep,
    fairness: FairnessDep,
    interests: InterestsDep,
    saved: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    """Open contests and interests no consultant has followed up yet."""
    waiting = interests.waiting()
    titles = {
        v: r["data"].get("title") for v, r in read_rows(engine, "vacancy", [i.vacancy_id for i in waiting]).items()
    }
    contests = fairness.rights.contests(status="open")
    return page(request, "queue.html", contests=contests, interests=waiting, titles=titles, saved=saved)


@router.post("/contests/{contest_id}")
def answer_contest(
    contest_id: RowId,
    fairness: FairnessDep,
    principal: PrincipalDep,
    answer: Annotated[str, Form(min_length=1, max_length=5_000)],
) -> Response:
    """Answer a contest (as the signed-in consultant); it leaves the queue."""
    fairness.rights.answer(contest_id, principal.name, answer)
    return RedirectResponse("/ui/queue?saved=answered", status_code=303)


@router.post("/interests/{vacancy_id}")
def follow_up(
    vacancy_id: VacancyId,
    interests: InterestsDep,
    principal: PrincipalDep,
    jobseeker_id: Annotated[str, Form(min_length=1, max_length=64)],
) -> Response:
    """Mark a jobseeker's interest as followed up; it leaves the queue."""
    interests.handle(jobseeker_id, vacancy_id, principal.name)
    return RedirectResponse("/ui/queue?saved=handled", status_code=303)
