"""A jobseeker's rights and development (jobseeker role, on their own dossier; consultants too): the notice,
export, opt-out, contests, erasure; skill gap, basiskit and recruiting occupations within reach."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field

from api.auth.roles import Role
from api.auth.rules import allow
from api.deps import FairnessDep
from api.routes.common import LangParam
from matching.guidance import basiskit, missing_required, skill_gaps
from matching.profiles import Profile, ProfileKind
from services import FairnessServices

router = APIRouter(
    prefix="/jobseekers", tags=["jobseekers' rights"], dependencies=[allow(Role.consultant, owner="jobseeker_id")]
)


class OptOutIn(BaseModel):
    """Whether the jobseeker refuses to be proposed to employers."""

    opted_out: bool


class ContestIn(BaseModel):
    """A contest of a suggestion (vacancy_id) or of how suggestions are made (no vacancy)."""

    message: str = Field(min_length=1, max_length=5_000)
    vacancy_id: str | None = Field(default=None, max_length=64)


def _profile(fairness: FairnessServices, jobseeker_id: str) -> Profile:
    store = fairness.engine.store
    if store is None:
        from matching.errors import UnknownProfile

        raise UnknownProfile(f"no jobseeker with id {jobseeker_id!r}")
    return store.get(ProfileKind.jobseeker, jobseeker_id)


@router.get("/{jobseeker_id}/notice")
def notice(jobseeker_id: str, fairness: FairnessDep, lang: LangParam = None) -> dict[str, Any]:
    """How suggestions are made and how to contest one, in the jobseeker's language."""
    return fairness.rights.notice(jobseeker_id, lang.value if lang else None).to_json()


@router.get("/{jobseeker_id}/export")
def export(jobseeker_id: str, fairness: FairnessDep) -> dict[str, Any]:
    """Everything stored about the jobseeker, as JSON."""
    return fairness.rights.export(jobseeker_id)


@router.put("/{jobseeker_id}/opt-out")
def opt_out(jobseeker_id: str, body: OptOutIn, fairness: FairnessDep) -> dict[str, Any]:
    """Refuse (or accept again) to be proposed to employers; one's own suggestions stay."""
    changed = fairness.rights.set_opt_out(jobseeker_id, body.opted_out)
    return {"jobseeker_id": jobseeker_id, "opted_out": body.opted_out, "changed": changed}


@router.post("/{jobseeker_id}/contests", status_code=status.HTTP_201_CREATED)
def contest(jobseeker_id: str, body: ContestIn, fairness: FairnessDep) -> dict[str, Any]:
    """Contest a suggestion, or how suggestions are made: the request reaches a consultant."""
    return fairness.rights.contest(jobseeker_id, body.message, body.vacancy_id)


@router.get("/{jobseeker_id}/skill-gap")
def skill_gap(
    jobseeker_id: str,
    fairness: FairnessDep,
    lang: LangParam = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> dict[str, Any]:
    """The missing skills that would bring the most open vacancies into the jobseeker's top k (computed)."""
    profile = _profile(fairness, jobseeker_id)
    report = skill_gaps(
        fairness.engine, profile, config=fairness.config.skill_gap, lang=lang.value if lang else None, limit=limit
    )
    return report.to_json()


@router.get("/{jobseeker_id}/vacancies/{vacancy_id}/missing-skills")
def missing_skills(jobseeker_id: str, vacancy_id: str, fairness: FairnessDep, lang: LangParam = None) -> dict[str, Any]:
    """A vacancy's required skills the jobseeker misses or only partly covers."""
    found = missing_required(
        fairness.engine, _profile(fairness, jobseeker_id), vacancy_id, lang.value if lang else None
    )
    return {"vacancy_id": vacancy_id, **{k: [asdict(s) for s in v] for k, v in found.items()}}


@router.get("/{jobseeker_id}/basiskit")
def jobseeker_basiskit(jobseeker_id: str, fairness: FairnessDep, lang: LangParam = None) -> dict[str, Any]:
    """Language levels and digital skills as one profile, with the gaps against the vacancies they would fit."""
    return basiskit(fairness.engine, _profile(fairness, jobseeker_id), lang=lang.value if lang else None).to_json()


@router.get("/{jobseeker_id}/recruiting-occupations")
def recruiting_occupations(jobseeker_id: str, fairness: FairnessDep, lang: LangParam = None) -> list[dict[str, Any]]:
    """Occupations that recruit in the jobseeker's regions, smallest skill gap first."""
    found = fairness.recruiting_occupations().suggest(
        _profile(fairness, jobseeker_id), lang=lang.value if lang else None
    )
    return [s.to_json() for s in found]
