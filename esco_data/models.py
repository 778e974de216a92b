"""Database tables of the ESCO taxonomy (one release at a time)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column
from sqlalchemy.engine import Engine
from sqlmodel import Field, SQLModel


class ConceptKind(StrEnum):
    """The kinds of ESCO concept that skillmatch stores."""

    skill = "skill"
    occupation = "occupation"
    isco_group = "isco_group"
    skill_group = "skill_group"


class LabelType(StrEnum):
    """SKOS label types, in order of authority."""

    preferred = "preferred"
    alternative = "alternative"
    hidden = "hidden"


class Relation(StrEnum):
    """Whether a skill is essential or optional for an occupation (or for another skill)."""

    essential = "essential"
    optional = "optional"


class EscoConcept(SQLModel, table=True):
    """A skill, occupation, ISCO-08 group or skill group."""

    __tablename__ = "esco_concept"

    uri: str = Field(primary_key=True)
    kind: ConceptKind = Field(index=True)
    code: str | None = None
    isco_code: str | None = Field(default=None, description="An occupation's ISCO-08 unit group code.")
    skill_type: str | None = None
    reuse_level: str | None = None
    status: str | None = None


class EscoLabel(SQLModel, table=True):
    """One label of a concept in one language."""

    __tablename__ = "esco_label"

    id: int | None = Field(default=None, primary_key=True)
    uri: str = Field(index=True)
    lang: str = Field(max_length=8)
    label_type: LabelType
    text: str
    norm: str = Field(index=True)


class EscoDescription(SQLModel, table=True):
    """A concept's description in one language."""

    __tablename__ = "esco_description"

    uri: str = Field(primary_key=True)
    lang: str = Field(primary_key=True, max_length=8)
    text: str


class EscoOccupationSkill(SQLModel, table=True):
    """An essential or optional skill of an occupation."""

    __tablename__ = "esco_occupation_skill"

    occupation_uri: str = Field(primary_key=True)
    skill_uri: str = Field(primary_key=True, index=True)
    relation: Relation


class EscoSkillSkill(SQLModel, table=True):
    """A skill that is essential or optional for another skill."""

    __tablename__ = "esco_skill_skill"

    skill_uri: str = Field(primary_key=True)
    related_uri: str = Field(primary_key=True)
    relation: Relation


class EscoBroader(SQLModel, table=True):
    """A broader/narrower link of the occupation or skill pillar (child -> parent)."""

    __tablename__ = "esco_broader"

    uri: str = Field(primary_key=True)
    broader_uri: str = Field(primary_key=True, index=True)


class EscoCollection(SQLModel, table=True):
    """Membership of a concept in an ESCO collection (digital, green, language, transversal...)."""

    __tablename__ = "esco_collection"

    uri: str = Field(primary_key=True)
    collection: str = Field(primary_key=True)


class EscoRelease(SQLModel, table=True):
    """The loaded ESCO release: version, checksum of the source bytes and what was loaded."""

    __tablename__ = "esco_release"

    id: int | None = Field(default=None, primary_key=True)
    version: str
    checksum: str
    source: str
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    counts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    skipped: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    loaded_at: datetime


ESCO_TABLES = [
    EscoConcept.__table__,  # type: ignore[attr-defined]
    EscoLabel.__table__,  # type: ignore[attr-defined]
    EscoDescription.__table__,  # type: ignore[attr-defined]
    EscoOccupationSkill.__table__,  # type: ignore[attr-defined]
    EscoSkillSkill.__table__,  # type: ignore[attr-defined]
    EscoBroader.__table__,  # type: ignore[attr-defined]
    EscoCollection.__table__,  # type: ignore[attr-defined]
    EscoRelease.__table__,  # type: ignore[attr-defined]
]


def create_tables(engine: Engine) -> None:
    """Create the ESCO tables that do not exist yet.

    Args:
        engine: the database engine.
    """
    SQLModel.metadata.create_all(engine, tables=ESCO_TABLES)


__all__ = [
    "ConceptKind",
    "EscoBroader",
    "EscoCollection",
    "EscoConcept",
    "EscoDescription",
    "EscoLabel",
    "EscoOccupationSkill",
    "EscoRelease",
    "EscoSkillSkill",
    "LabelType",
    "Relation",
    "create_tables",
]
