"""Correcting what the engine understood from a dossier: the occupations of its titles, its skills and languages.

A consultant corrects any dossier (and teaches the engine for the same title or phrase); a jobseeker corrects
their own dossier only, and their corrections change nothing else (``ingestion.corrections``). Every correction
changes the dossier at once (stated, with its provenance, indexed with it) and is a row in the audit log.
"""

from __future__ import annotations

from fastapi import APIRouter

from api.auth.rules import AuditEntryDep, PrincipalDep
from api.deps import CorrectionsDep
from api.routes.common import JobseekerId
from api.routes.corrections_common import (
    CorrectionOut,
    DossierOccupationIn,
    LangPath,
    LanguageIn,
    SkillIn,
    SkillQuery,
    add_skill,
    answer,
    remove_skill,
    set_language,
    teaches,
)
from api.strict import strict_body
from ingestion.models import RecordKind

router = APIRouter(prefix="/jobseekers", tags=["corrections"])
DOSSIER = RecordKind.jobseeker


@router.put("/{jobseeker_id}/occupation", response_model=CorrectionOut, dependencies=[strict_body(DossierOccupationIn)])
def confirm_dossier_occupation(
    jobseeker_id: JobseekerId,
    body: DossierOccupationIn,
    corrections: CorrectionsDep,
    principal: PrincipalDep,
    trail: AuditEntryDep,
) -> CorrectionOut:
    """Confirm or choose the occupation of one title of the dossier (``experiences[i]`` or
    ``desired_occupations[i]``): it becomes stated."""
    done = corrections.set_occupation(
        DOSSIER, jobseeker_id, body.uri, actor=principal.subject, role=principal.role.value,
        teach=teaches(principal), item=body.item, rejected=body.rejected,
    )  # fmt: skip
    return answer(done, corrections, principal, trail)


@router.post("/{jobseeker_id}/skills", response_model=CorrectionOut, dependencies=[strict_body(SkillIn)])
def add_dossier_skill(
    jobseeker_id: JobseekerId, body: SkillIn, corrections: CorrectionsDep, principal: PrincipalDep, trail: AuditEntryDep
) -> CorrectionOut:
    """Add a skill to the dossier (or confirm one read from its text, giving its phrase): it becomes stated."""
    return add_skill(DOSSIER, jobseeker_id, body, corrections, principal, trail)


@router.delete("/{jobseeker_id}/skills", response_model=CorrectionOut)
def remove_dossier_skill(
    jobseeker_id: JobseekerId,
    uri: SkillQuery,
    corrections: CorrectionsDep,
    principal: PrincipalDep,
    trail: AuditEntryDep,
) -> CorrectionOut:
    """Remove a skill from the dossier: neither its text nor its occupation brings it back."""
    return remove_skill(DOSSIER, jobseeker_id, uri, corrections, principal, trail)


@router.put("/{jobseeker_id}/languages/{lang}", response_model=CorrectionOut, dependencies=[strict_body(LanguageIn)])
def set_dossier_language(
    jobseeker_id: JobseekerId,
    lang: LangPath,
    body: LanguageIn,
    corrections: CorrectionsDep,
    principal: PrincipalDep,
    trail: AuditEntryDep,
) -> CorrectionOut:
    """Set the jobseeker's level in a language (CEFR), or remove it with ``null``."""
    return set_language(DOSSIER, jobseeker_id, lang, body, corrections, principal, trail)
