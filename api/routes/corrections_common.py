"""Request and response models of corrections, shared by the vacancy and dossier correction routers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import BaseModel, ConfigDict, Field

from api.audit import AuditEntry
from api.auth.roles import Principal, Role
from api.routes.common import RecordOut
from api.routes.records import read_row
from ingestion.corrections import Corrected, CorrectionService
from ingestion.models import RecordKind
from ingestion.schemas import MAX_SKILL_TEXT, CefrLevel, OccupationUri, SkillUri
from ingestion.text_clean import VISIBLE

_OCCUPATION_EXAMPLE = "http://data.europa.eu/esco/occupation/1aadb308-432a-4d01-b54b-b4f7f76dd419"
_SKILL_EXAMPLE = "http://data.europa.eu/esco/skill/5626b3b1-5415-47f6-acf1-b573d457d180"


class VacancyOccupationIn(BaseModel):
    """The occupation a vacancy's title stands for: one of those proposed, or another (typeahead)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"uri": _OCCUPATION_EXAMPLE, "rejected": []}]}
    )

    uri: OccupationUri = Field(examples=[_OCCUPATION_EXAMPLE])
    rejected: list[OccupationUri] = Field(
        default_factory=list, max_length=20, description="Proposed occupations the title is not (not proposed again)."
    )


class DossierOccupationIn(VacancyOccupationIn):
    """The occupation of one title of a dossier (an experience or a desired occupation)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"item": "experiences[0]", "uri": _OCCUPATION_EXAMPLE, "rejected": []}]},
    )

    item: str = Field(pattern=r"^(experiences|desired_occupations)\[[0-9]{1,3}\]$", examples=["experiences[0]"])


class SkillIn(BaseModel):
    """A skill to add (or an extracted one to confirm): it becomes stated."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"uri": _SKILL_EXAMPLE, "text": "cuire du pain", "required": True}]},
    )

    uri: SkillUri = Field(examples=[_SKILL_EXAMPLE])
    text: str | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_SKILL_TEXT,
        pattern=VISIBLE,
        description="The record's words it stands for (an extracted skill's phrase), if any.",
    )
    required: bool = Field(default=True, description="For a vacancy: a requirement (else nice to have).")


class LanguageIn(BaseModel):
    """A language level (CEFR): a jobseeker's, or a vacancy's requirement; null removes it."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"level": "B2"}]})

    level: CefrLevel | None


class LearnedOut(BaseModel):
    """A learned link: a consultant's verdict on a phrase -> concept link."""

    id: int
    kind: str
    phrase_key: str
    phrase: str
    lang: str | None
    uri: str
    verdict: str
    proposed: list[str]
    actor: str
    role: str
    record_kind: str | None
    record_id: str | None
    created_at: str
    undone_at: str | None
    undone_by: str | None


class CorrectionOut(BaseModel):
    """What a correction did: its provenance, what it taught, and the record as it is now."""

    status: str = Field(examples=["updated"])
    correction: dict[str, Any]
    learned: list[LearnedOut]
    record: RecordOut


SkillQuery = Annotated[
    str, Query(pattern=r"^http://data\.europa\.eu/esco/skill/[A-Za-z0-9._~/-]+$", examples=[_SKILL_EXAMPLE])
]
LangPath = Annotated[str, Path(pattern=r"^[a-z]{2}$", description="A language code.", examples=["nl"])]

__all__ = [
    "CefrLevel",
    "CorrectionOut",
    "DossierOccupationIn",
    "LangPath",
    "LanguageIn",
    "LearnedOut",
    "SkillIn",
    "SkillQuery",
    "VacancyOccupationIn",
    "add_skill",
    "answer",
    "remove_skill",
    "set_language",
    "teaches",
]


def answer(done: Corrected, corrections: CorrectionService, principal: Principal, trail: AuditEntry) -> CorrectionOut:
    """The answer to a correction, with its audit row completed (ids, the action and the concept: no free text;
    the row is written when the route succeeds)."""
    correction = done.correction
    trail.target, trail.results = done.record_id, [str(correction.get("id"))]
    trail.params = {
        "action": correction.get("action"),
        "field": correction.get("field"),
        "chosen": correction.get("chosen"),
        "learned_links": [link.id for link in done.learned],
    }
    row = read_row(corrections.engine, done.record_kind.value, done.record_id)
    record = RecordOut(
        id=row["id"],
        data=row["data"],
        links=row["links"],
        flags=row.get("flags"),
        updated_at=row["updated_at"].isoformat(),
        corrections=corrections.history(done.record_kind, done.record_id),
    )
    return CorrectionOut(
        status=done.status,
        correction=correction,
        learned=[LearnedOut(**link.to_json()) for link in done.learned],
        record=record,
    )


def teaches(principal: Principal) -> bool:
    """Whether a person's corrections teach the engine for everyone (a consultant), or change one record only."""
    return principal.role is Role.consultant


def add_skill(
    kind: RecordKind,
    record_id: str,
    body: SkillIn,
    corrections: CorrectionService,
    principal: Principal,
    trail: AuditEntry,
) -> CorrectionOut:
    """Add (or confirm) a skill on a record, as the signed-in person."""
    done = corrections.add_skill(
        kind, record_id, body.uri, actor=principal.subject, role=principal.role.value, teach=teaches(principal),
        text=body.text, required=body.required,
    )  # fmt: skip
    return answer(done, corrections, principal, trail)


def remove_skill(
    kind: RecordKind, record_id: str, uri: str, corrections: CorrectionService, principal: Principal, trail: AuditEntry
) -> CorrectionOut:
    """Remove a skill from a record, as the signed-in person."""
    done = corrections.remove_skill(
        kind, record_id, uri, actor=principal.subject, role=principal.role.value, teach=teaches(principal)
    )
    return answer(done, corrections, principal, trail)


def set_language(
    kind: RecordKind,
    record_id: str,
    lang: str,
    body: LanguageIn,
    corrections: CorrectionService,
    principal: Principal,
    trail: AuditEntry,
) -> CorrectionOut:
    """Set or remove a language level of a record, as the signed-in person."""
    level = body.level.value if body.level is not None else None
    done = corrections.set_language(kind, record_id, lang, level, actor=principal.subject, role=principal.role.value)
    return answer(done, corrections, principal, trail)
