"""A jobseeker's rights and development: the notice, export, opt-out, contests; skill gap, basiskit and
recruiting occupations within reach (erasure is ``DELETE /jobseekers/{id}``).

They are the jobseeker's own. A consultant acts on them only for the jobseeker, at their request, saying how
they asked (``?on_behalf=desk|phone|letter``, ``api.auth.policy``): the audit log names the consultant, and the
jobseeker's export lists what was done for them. A consultant never sees the protected audit attributes, not even
in an export made for the jobseeker."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, Field

from api.auth.policy import ON_BEHALF, OnBehalf
from api.auth.roles import Role
from api.auth.rules import PrincipalDep
from api.deps import AuditDep, FairnessDep
from api.routes.common import JobseekerId, LangParam, VacancyId
from api.strict import strict_body
from ingestion.text_clean import VISIBLE
from matching.guidance import basiskit, missing_required, skill_gaps
from matching.profiles import Profile, ProfileKind
from services.fairness import FairnessServices


async def on_behalf_param(
    on_behalf: Annotated[
        OnBehalf | None,
        Query(
            alias=ON_BEHALF,
            description="A consultant acting for the jobseeker says how the jobseeker asked (required for "
            "consultants; recorded in the audit log and shown to the jobseeker).",
        ),
    ] = None,
) -> OnBehalf | None:
    """The consultant's statement of how the jobseeker asked (checked by the route table's rule)."""
    return on_behalf


router = APIRouter(prefix="/jobseekers", tags=["jobseekers' rights"], dependencies=[Depends(on_behalf_param)])


class OptOutIn(BaseModel):
    """Whether the jobseeker refuses to be proposed to employers."""

    opted_out: bool


class ContestIn(BaseModel):
    """A contest of a suggestion (vacancy_id) or of how suggestions are made (no vacancy)."""

    message: str = Field(min_length=1, max_length=5_000, pattern=VISIBLE)
    vacancy_id: str | None = Field(default=None, max_length=64)


def _profile(fairness: FairnessServices, jobseeker_id: str) -> Profile:
    store = fairness.engine.store
    if store is None:
        from matching.errors import UnknownProfile

        raise UnknownProfile(f"no jobseeker with id {jobseeker_id!r}")
    return store.get(ProfileKind.jobseeker, jobseeker_id)


@router.get("/{jobseeker_id}/notice")
def notice(jobseeker_id: JobseekerId, fairness: FairnessDep, lang: LangParam = None) -> dict[str, Any]:
    """How suggestions are made and how to contest one, in the jobseeker's language."""
    return fairness.rights.notice(jobseeker_id, lang.value if lang else None).to_json()


@router.get("/{jobseeker_id}/export")
def export(
    jobseeker_id: JobseekerId, fairness: FairnessDep, principal: PrincipalDep, audit: AuditDep
) -> dict[str, Any]:
    """Everything stored about the jobseeker, as JSON, with what others did on their rights for them (a
    consultant exporting it for the jobseeker gets it without the protected audit attributes)."""
    found = fairness.rights.export(jobseeker_id, with_audit_attributes=principal.role is Role.jobseeker)
    found["done_for_you"] = [
        {"at": e.at.isoformat(), "by": e.name, "role": e.role, "action": e.action, "why": e.why}
        for e in audit.done_for(jobseeker_id)
    ]
    return found


@router.put("/{jobseeker_id}/opt-out", dependencies=[strict_body(OptOutIn)])
def opt_out(jobseeker_id: JobseekerId, body: OptOutIn, fairness: FairnessDep) -> dict[str, Any]:
    """Refuse (or accept again) to be proposed to employers; one's own suggestions stay."""
    changed = fairness.rights.set_opt_out(jobseeker_id, body.opted_out)
    return {"jobseeker_id": jobseeker_id, "opted_out": body.opted_out, "changed": changed}


@router.post("/{jobseeker_id}/contests", status_code=status.HTTP_201_CREATED, dependencies=[strict_body(ContestIn)])
def contest(jobseeker_id: JobseekerId, body: ContestIn, fairness: FairnessDep) -> dict[str, Any]:
    """Contest a suggestion, or how suggestions are made: the request reaches a consultant."""
    return fairness.rights.contest(jobseeker_id, body.message, body.vacancy_id)


@router.get("/{jobseeker_id}/skill-gap")
def skill_gap(
    jobseeker_id: JobseekerId,
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
def missing_skills(
    jobseeker_id: JobseekerId, vacancy_id: VacancyId, fairness: FairnessDep, lang: LangParam = None
) -> dict[str, Any]:
    """A vacancy's required skills the jobseeker misses or only partly covers."""
    found = missing_required(
        fairness.engine, _profile(fairness, jobseeker_id), vacancy_id, lang.value if lang else None
    )
    return {"vacancy_id": vacancy_id, **{k: [asdict(s) for s in v] for k, v in found.items()}}


@router.get("/{jobseeker_id}/basiskit")
def jobseeker_basiskit(jobseeker_id: JobseekerId, fairness: FairnessDep, lang: LangParam = None) -> dict[str, Any]:
    """Language levels and digital skills as one profile, with the gaps against the vacancies they would fit."""
    return basiskit(fairness.engine, _profile(fairness, jobseeker_id), lang=lang.value if lang else None).to_json()


@router.get("/{jobseeker_id}/recruiting-occupations")
def recruiting_occupations(
    jobseeker_id: JobseekerId, fairness: FairnessDep, lang: LangParam = None
) -> list[dict[str, Any]]:
    """Occupations that recruit in the jobseeker's regions, smallest skill gap first."""
    found = fairness.recruiting_occupations().suggest(
        _profile(fairness, jobseeker_id), lang=lang.value if lang else None
    )
    return [s.to_json() for s in found]
