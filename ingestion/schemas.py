"""Input schemas of a jobseeker (the dossier unique) and of a vacancy.

The same schemas validate batch files (JSON Lines, CSV) and API payloads. Fields that real dossiers carry but
a given source lacks are optional or defaulted. Protected attributes (gender, age, nationality or origin,
disability, family situation, photo) are removed before validation and reported: they never reach a record
that matching reads.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from esco_data import Language
from ingestion.self_screen import screen_self_description
from ingestion.text_clean import BLANK_OR_VISIBLE, SPACES, VISIBLE, EmptyText, clean_text
from matching.ranking import Cefr, DrivingLicence, Region

ESCO_SKILL_PREFIX = "http://data.europa.eu/esco/skill/"
ESCO_OCCUPATION_PREFIX = "http://data.europa.eu/esco/occupation/"

URI_TAIL = "[A-Za-z0-9._~/-]+"
"""What follows an ESCO URI's prefix (a UUID, an ISCO code): plain ASCII, so every regex engine agrees."""
_SPACES = SPACES + "\\ufeff"
EMAIL = rf"^[^@{_SPACES}]+@[^@{_SPACES}]+\.[^@{_SPACES}]+$"
MAX_TITLE = 200
MAX_SKILL_TEXT = 300
MAX_SUMMARY = 5_000
MAX_DESCRIPTION = 20_000
MAX_EXPERIENCE_DESCRIPTION = 5_000
MAX_ITEMS = 200

PROTECTED_FIELDS = frozenset(
    {
        "gender",
        "sex",
        "birth_date",
        "birthdate",
        "date_of_birth",
        "age",
        "age_band",
        "nationality",
        "nationalities",
        "nationality_group",
        "origin",
        "ethnicity",
        "country_of_birth",
        "place_of_birth",
        "disability",
        "handicap",
        "family_situation",
        "marital_status",
        "civil_status",
        "children",
        "number_of_children",
        "photo",
        "photo_url",
        "picture",
    }
)
"""Attributes that are never inputs to matching; ingestion drops them with a warning."""


class SkillLevel(StrEnum):
    """How well a jobseeker masters a skill, when the dossier says."""

    basic = "basic"
    intermediate = "intermediate"
    advanced = "advanced"
    expert = "expert"


class ContractType(StrEnum):
    """Contract types of a vacancy or wished by a jobseeker."""

    permanent = "permanent"
    fixed_term = "fixed_term"
    interim = "interim"
    student = "student"
    apprenticeship = "apprenticeship"
    freelance = "freelance"


class WorkingTime(StrEnum):
    """Full or part time."""

    full_time = "full_time"
    part_time = "part_time"
    any = "any"


class VacancyStatus(StrEnum):
    """Lifecycle of a vacancy; only open vacancies are matched."""

    draft = "draft"
    open = "open"
    filled = "filled"
    closed = "closed"


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _not_bool(value: Any) -> Any:
    # pydantic reads true as 1 in a number field; a number is never a yes/no.
    if isinstance(value, bool):
        raise PydanticCustomError("number_not_boolean", "expected a number, not true or false")
    return value


def _date_text(value: Any) -> Any:
    # pydantic reads a number as seconds since 1970 in a date field: 0 would become 1970-01-01.
    if not isinstance(value, str | date):
        raise PydanticCustomError("date_text", "expected a date as YYYY-MM-DD")
    return value


def _cefr(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip().upper()
        if value not in Cefr.__members__:
            raise PydanticCustomError(
                "cefr_level", "CEFR level must be one of A1, A2, B1, B2, C1, C2, not {value}", {"value": repr(value)}
            )
    return value


CefrLevel = Annotated[Cefr, BeforeValidator(_cefr)]
Number = Annotated[float, BeforeValidator(_not_bool)]
Count = Annotated[int, BeforeValidator(_not_bool)]
# A bounded number says its bounds before the validator: Annotated[float, Field(le=60), BeforeValidator(...)].
# Bounds given after it, or on `Number | None`, are published as "ge"/"le", which JSON Schema does not know.
Day = Annotated[date, BeforeValidator(_date_text)]
LanguageCode = Annotated[str, BeforeValidator(_lower), StringConstraints(pattern=r"^[a-z]{2}$")]
RecordId = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TITLE, pattern=VISIBLE)]
Postcode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[1-9][0-9]{3}$")]
Licence = Annotated[DrivingLicence, BeforeValidator(_upper)]
LanguageLevels = Annotated[
    dict[LanguageCode, CefrLevel],
    Field(max_length=30, json_schema_extra={"propertyNames": {"pattern": "^[a-z]{2}$"}}),
]
OccupationUri = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=rf"^{re.escape(ESCO_OCCUPATION_PREFIX)}{URI_TAIL}$")
]
SkillUri = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=rf"^{re.escape(ESCO_SKILL_PREFIX)}{URI_TAIL}$")
]
ExcludedSkills = Annotated[
    list[SkillUri],
    Field(
        max_length=MAX_ITEMS,
        description="ESCO skills removed by a person (a consultant, or the jobseeker for their own dossier): never "
        "read from this record's text or inferred from its occupations.",
    ),
]


_MULTILINE_FIELDS = frozenset({"summary", "description"})


class _Schema(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, use_enum_values=False)

    @field_validator("*", mode="before")
    @classmethod
    def _clean(cls, value: Any, info: ValidationInfo) -> Any:
        # Every text field: invisible and control characters removed, empty-once-cleaned refused (a list's
        # texts are cleaned by the item's own schema, so that an error names the item).
        if isinstance(value, str):
            try:
                return clean_text(value, multiline=info.field_name in _MULTILINE_FIELDS)
            except EmptyText as exc:
                raise PydanticCustomError("invisible_only", str(exc)) from None
        return value


def _string_or_object(text_max: int, *alternatives: str) -> Any:
    """The JSON Schema of an item given as a bare string or as an object with one of some fields set."""

    def extra(schema: dict[str, Any], cls: Any) -> None:
        obj = {k: v for k, v in schema.items() if k not in ("title", "description")}
        need = [{"required": [name], "properties": {name: {"type": "string"}}} for name in alternatives]
        keep = {k: v for k, v in schema.items() if k in ("title", "description")}
        schema.clear()
        schema.update(keep)
        schema["anyOf"] = [
            {"type": "string", "minLength": 1, "maxLength": text_max, "pattern": VISIBLE},
            obj | {"anyOf": need},
        ]

    return extra


class SkillItem(_Schema):
    """A skill: an ESCO skill URI (as a structured dossier carries it) or free text to link, or both."""

    model_config = ConfigDict(json_schema_extra=_string_or_object(MAX_SKILL_TEXT, "uri", "text"))

    uri: str | None = Field(default=None, pattern=rf"^{re.escape(ESCO_SKILL_PREFIX)}{URI_TAIL}$")
    text: str | None = Field(default=None, min_length=1, max_length=MAX_SKILL_TEXT, pattern=VISIBLE)
    level: SkillLevel | None = None
    source: str | None = Field(
        default=None, max_length=50, pattern=BLANK_OR_VISIBLE, description="e.g. dossier, cv, self, consultant"
    )

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        # A bare string is a URI when it looks like one, else free text.
        if isinstance(value, str):
            return {"uri": value} if value.strip().startswith("http") else {"text": value}
        return value

    @model_validator(mode="after")
    def _uri_or_text(self) -> SkillItem:
        if not self.uri and not self.text:
            raise PydanticCustomError("skill_uri_or_text", "a skill needs an ESCO skill URI or a text")
        return self


class Experience(_Schema):
    """A past or current job, with what the jobseeker did there in their own words (optional)."""

    title: Title
    occupation_uri: OccupationUri | None = None
    years: Annotated[float, Field(ge=0, le=60), BeforeValidator(_not_bool)] | None = None
    description: str | None = Field(
        default=None,
        max_length=MAX_EXPERIENCE_DESCRIPTION,
        pattern=VISIBLE,
        description="What the job was: tasks, tools, results (French, Dutch or English); its skills are linked "
        "with their spans",
    )


class DesiredOccupation(_Schema):
    """An occupation the jobseeker wants: a title, an ESCO URI, or both."""

    model_config = ConfigDict(json_schema_extra=_string_or_object(MAX_TITLE, "title", "occupation_uri"))

    title: Title | None = None
    occupation_uri: OccupationUri | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"occupation_uri": value} if value.strip().startswith("http") else {"title": value}
        return value

    @model_validator(mode="after")
    def _title_or_uri(self) -> DesiredOccupation:
        if not self.title and not self.occupation_uri:
            raise PydanticCustomError(
                "occupation_title_or_uri", "a desired occupation needs a title or an ESCO occupation URI"
            )
        return self


class Travel(_Schema):
    """How far a jobseeker can travel: regions, a distance, or both."""

    regions: list[Region] = Field(default_factory=list, max_length=3)
    max_km: Annotated[int, Field(ge=0, le=500), BeforeValidator(_not_bool)] | None = None


class ContractPreferences(_Schema):
    """Contract types and working time a jobseeker accepts."""

    types: list[ContractType] = Field(default_factory=list, max_length=10)
    working_time: WorkingTime = WorkingTime.any


class Contact(_Schema):
    """How a consultant reaches a jobseeker; stored with the record, never read by ranking."""

    name: str | None = Field(default=None, max_length=200, pattern=BLANK_OR_VISIBLE)
    email: str | None = Field(default=None, max_length=200, pattern=EMAIL)
    phone: str | None = Field(default=None, max_length=40, pattern=r"^[+0-9 ()./-]{6,40}$")


class Contract(_Schema):
    """A vacancy's contract."""

    type: ContractType | None = None
    working_time: WorkingTime = WorkingTime.any


class _Record(_Schema):
    """Removes protected attributes before validation and remembers which ones it removed."""

    @model_validator(mode="wrap")
    @classmethod
    def _drop_protected(cls, value: Any, handler: Any) -> Any:
        dropped: list[str] = []
        if isinstance(value, dict):
            dropped = sorted(k for k in value if isinstance(k, str) and k.strip().lower() in PROTECTED_FIELDS)
            value = {k: v for k, v in value.items() if k not in dropped}
        record = handler(value)
        object.__setattr__(record, "_dropped", dropped)
        return record

    @property
    def dropped_protected(self) -> list[str]:
        """Protected attributes that the input carried and that were dropped."""
        return list(getattr(self, "_dropped", []))


class JobseekerIn(_Record):
    """A jobseeker's single file (dossier unique), as ingested."""

    id: RecordId
    preferred_language: Language = Language.fr
    contact: Contact | None = None
    experiences: list[Experience] = Field(default_factory=list, max_length=MAX_ITEMS)
    skills: list[SkillItem] = Field(default_factory=list, max_length=MAX_ITEMS)
    summary: str | None = Field(default=None, max_length=MAX_SUMMARY, pattern=BLANK_OR_VISIBLE)
    education_level: Annotated[int, Field(ge=0, le=8), BeforeValidator(_not_bool)] | None = Field(
        default=None, description="ISCED 2011 level, 0 to 8"
    )
    languages: LanguageLevels = Field(default_factory=dict)
    driving_licences: list[Licence] = Field(default_factory=list, max_length=15)
    postcode: Postcode | None = None
    travel: Travel = Field(default_factory=Travel)
    available_from: Day | None = None
    desired_occupations: list[DesiredOccupation] = Field(default_factory=list, max_length=20)
    contract_preferences: ContractPreferences = Field(default_factory=ContractPreferences)
    excluded_skills: ExcludedSkills = Field(default_factory=list)
    active: bool = True
    notify_new_matches: bool = Field(
        default=False, description="The jobseeker agrees to be e-mailed new matching vacancies (at contact.email)."
    )

    @model_validator(mode="after")
    def _screen_summary(self) -> JobseekerIn:
        # Sentences stating a protected attribute leave the summary, as the structured fields do.
        if self.summary:
            screened = screen_self_description(self.summary)
            object.__setattr__(self, "summary", screened.text or None)
            object.__setattr__(self, "_screened", screened.categories)
        return self

    @property
    def screened_out(self) -> list[str]:
        """Protected categories whose sentences were removed from the summary."""
        return list(getattr(self, "_screened", []))


class VacancyIn(_Record):
    """An employer's vacancy, as ingested."""

    id: RecordId
    employer_id: RecordId | None = None
    language: Language | None = Field(default=None, description="Language of the text; detected when absent.")
    title: Title
    description: str | None = Field(default=None, max_length=MAX_DESCRIPTION, pattern=BLANK_OR_VISIBLE)
    required_skills: list[SkillItem] = Field(default_factory=list, max_length=MAX_ITEMS)
    nice_to_have_skills: list[SkillItem] = Field(default_factory=list, max_length=MAX_ITEMS)
    occupation_uri: OccupationUri | None = None
    language_requirements: LanguageLevels = Field(default_factory=dict)
    excluded_skills: ExcludedSkills = Field(default_factory=list)
    postcode: Postcode | None = None
    contract: Contract = Field(default_factory=Contract)
    hours_per_week: Annotated[float, Field(gt=0, le=60), BeforeValidator(_not_bool)] | None = None
    driving_licences: list[Licence] = Field(default_factory=list, max_length=15)
    openings: Count = Field(default=1, ge=1, le=1000)
    valid_until: Day | None = Field(default=None, description="Closing date: past it the vacancy leaves matching.")
    status: VacancyStatus = VacancyStatus.open
    consultant_id: RecordId | None = None
    consultant_email: str | None = Field(
        default=None,
        max_length=200,
        pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
        description="Who is told of new candidates after each nightly rematch.",
    )

    @field_validator("status", mode="before")
    @classmethod
    def _status_lower(cls, value: Any) -> Any:
        return _lower(value)


__all__ = [
    "ESCO_OCCUPATION_PREFIX",
    "ESCO_SKILL_PREFIX",
    "PROTECTED_FIELDS",
    "Cefr",
    "Contact",
    "Contract",
    "ContractPreferences",
    "ContractType",
    "DesiredOccupation",
    "DrivingLicence",
    "Experience",
    "JobseekerIn",
    "Language",
    "Region",
    "SkillItem",
    "SkillLevel",
    "Travel",
    "VacancyIn",
    "VacancyStatus",
    "WorkingTime",
]
