"""Correcting what the engine understood from a vacancy (consultants): its occupation, skills and language levels.

A consultant's correction changes the vacancy at once (stated, with its provenance, indexed with it) and teaches
the engine for the same title or phrase (learned links; ``ingestion.corrections``). Every correction is a row in
the audit log.
"""

from __future__ import annotations

from fastapi import APIRouter

from api.auth.rules import AuditEntryDep, PrincipalDep
from api.deps import CorrectionsDep
from api.routes.common import VacancyId
from api.routes.corrections_common import (
    CorrectionOut,
    LangPath,
    LanguageIn,
    SkillIn,
    SkillQuery,
    VacancyOccupationIn,
    add_skill,
    answer,
    remove_skill,
    set_language,
    teaches,
)
from api.strict import strict_body
from ingestion.models import RecordKind

router = APIRouter(prefix="/vacancies", tags=["corrections"])
VACANCY = RecordKind.vacancy


@router.put("/{vacancy_id}/occupation", response_model=CorrectionOut, dependencies=[strict_body(VacancyOccupationIn)])
def confirm_vacancy_occupation(
    vacancy_id: VacancyId,
    body: VacancyOccupationIn,
    corrections: CorrectionsDep,
    principal: PrincipalDep,
    trail: AuditEntryDep,
) -> CorrectionOut:
    """Confirm one of the occupations proposed for the vacancy's title, or choose another: it becomes stated, and the
    same title is later proposed with it first ("confirmed by a consultant on DATE"); ``rejected`` ones are not
    proposed again for that title."""
    done = corrections.set_occupation(
        VACANCY, vacancy_id, body.uri, actor=principal.subject, role=principal.role.value, teach=teaches(principal),
        rejected=body.rejected,
    )  # fmt: skip
    return answer(done, corrections, principal, trail)


@router.post("/{vacancy_id}/skills", response_model=CorrectionOut, dependencies=[strict_body(SkillIn)])
def add_vacancy_skill(
    vacancy_id: VacancyId, body: SkillIn, corrections: CorrectionsDep, principal: PrincipalDep, trail: AuditEntryDep
) -> CorrectionOut:
    """Add a skill to the vacancy (or confirm one read from its text, giving its phrase): it becomes stated."""
    return add_skill(VACANCY, vacancy_id, body, corrections, principal, trail)


@router.delete("/{vacancy_id}/skills", response_model=CorrectionOut)
def remove_vacancy_skill(
    vacancy_id: VacancyId, uri: SkillQuery, corrections: CorrectionsDep, principal: PrincipalDep, trail: AuditEntryDep
) -> CorrectionOut:
    """Remove a skill from the vacancy: neither its text nor its occupation brings it back, and the phrases it was
    read from no longer give it."""
    return remove_skill(VACANCY, vacancy_id, uri, corrections, principal, trail)


@router.put("/{vacancy_id}/languages/{lang}", response_model=CorrectionOut, dependencies=[strict_body(LanguageIn)])
def set_vacancy_language(
    vacancy_id: VacancyId,
    lang: LangPath,
    body: LanguageIn,
    corrections: CorrectionsDep,
    principal: PrincipalDep,
    trail: AuditEntryDep,
) -> CorrectionOut:
    """Set the level the vacancy requires in a language (CEFR), or remove the requirement with ``null``."""
    return set_language(VACANCY, vacancy_id, lang, body, corrections, principal, trail)
