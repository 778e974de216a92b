"""Occupations that recruit: shortage-list links and their review (admin role), vacancy marks (consultant)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.auth.rules import PrincipalDep
from api.deps import FairnessDep
from api.routes.common import RowId
from matching.guidance import LinkStatus
from matching.profiles import ProfileKind

router = APIRouter(tags=["recruiting"])


class ReviewIn(BaseModel):
    """An admin's review of a shortage-list title: the ESCO occupation it stands for, or null to reject it."""

    uri: str | None = Field(default=None, max_length=200)


@router.post("/admin/recruiting/link")
def link_lists(fairness: FairnessDep) -> dict[str, Any]:
    """Link the shortage list's titles with the engine's linker (reviews already made are kept)."""
    return fairness.link_shortage_list()


@router.get("/admin/recruiting")
def recruiting_titles(
    fairness: FairnessDep,
    state: Annotated[list[LinkStatus], Query(alias="status")] = [],  # noqa: B006
) -> list[dict[str, Any]]:
    """The shortage-list titles with their links (filter with ?status=review for those waiting for review)."""
    return fairness.recruiting.rows(status=state or None)


@router.post("/admin/recruiting/{row_id}/review")
def review_title(
    row_id: RowId,
    body: ReviewIn,
    fairness: FairnessDep,
    principal: PrincipalDep,
) -> dict[str, Any]:
    """Confirm an occupation for a title, or reject the title (as the signed-in admin)."""
    return fairness.recruiting.review(row_id, body.uri, principal.name, fairness.taxonomy)


@router.get("/vacancies/{vacancy_id}/recruiting")
def vacancy_recruits(vacancy_id: str, fairness: FairnessDep) -> dict[str, Any]:
    """Whether a vacancy's occupation is on the shortage list of its region (by postcode)."""
    store = fairness.engine.store
    vacancy = store.get(ProfileKind.vacancy, vacancy_id) if store is not None else None
    mark = fairness.recruiting_occupations().mark(vacancy) if vacancy is not None else None
    return {"vacancy_id": vacancy_id, "recruiting": mark is not None, "mark": mark}
