"""Query parameters, path parameters and response models shared by the resource routers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import BaseModel, Field

from api.errors import PATTERN_REASONS
from ingestion.schemas import Cefr, DrivingLicence, Language, Region
from matching.ranking import Filters

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"
MIN_LANGUAGE_PATTERN = r"^[A-Za-z]{2}:(A1|A2|B1|B2|C1|C2|a1|a2|b1|b2|c1|c2)$"
PATTERN_REASONS[MIN_LANGUAGE_PATTERN] = "expected language:CEFR level such as nl:B1, found {value!r}"
PATTERN_REASONS[ID_PATTERN] = "an id is 1 to 64 letters, digits or . _ : - (starting with a letter or digit)"
MAX_KM = 500
"""The largest distance between postcodes a search may ask for."""


class IngestOut(BaseModel):
    """What happened to a submitted record."""

    status: str = Field(examples=["accepted"])
    id: str = Field(examples=["J00001"])
    warnings: list[str]


class RecordOut(BaseModel):
    """A stored record: the validated data, the ESCO links found in its text, and (vacancies) screen flags."""

    id: str
    data: dict[str, Any]
    links: list[dict[str, Any]]
    flags: list[dict[str, Any]] | None = None
    updated_at: str
    corrections: list[dict[str, Any]] = Field(
        default_factory=list, description="People's corrections of the record, oldest first, with their provenance."
    )


async def filters_dependency(
    min_language: Annotated[
        list[Annotated[str, Field(pattern=MIN_LANGUAGE_PATTERN)]],
        Query(description="Minimum level per language, as lang:level, e.g. nl:B1 (repeatable)."),
    ] = [],  # noqa: B006 - FastAPI reads the default, never mutates it
    licence: Annotated[list[DrivingLicence], Query(description="Driving licences the jobseeker must hold.")] = [],  # noqa: B006
    region: Annotated[list[Region], Query(description="Regions the result must be in.")] = [],  # noqa: B006
    max_km: Annotated[float | None, Query(gt=0, le=MAX_KM, description="Largest distance between postcodes.")] = None,
    requirements_met: Annotated[
        bool, Query(description="Only pairs where the jobseeker meets the vacancy's language levels and licences.")
    ] = False,
) -> Filters:
    """Hard filters from query parameters (validated here: a bad value is a 422 with its field and reason)."""
    return build_filters(
        dict(item.partition(":")[::2] for item in min_language),
        [lic.value for lic in licence],
        [r.value for r in region],
        max_km,
        requirements_met=requirements_met,
    )


def build_filters(
    min_languages: Mapping[str, str],
    licences: Iterable[str] = (),
    regions: Iterable[str] = (),
    max_km: float | None = None,
    *,
    requirements_met: bool = False,
) -> Filters:
    """Hard filters from what a search asks: the one reading of the API's query and of the consultant's page.

    A value that is no CEFR level, licence category or region, and a distance outside (0, ``MAX_KM``], is left
    out: the API refuses such values before (422, with the field and the reason); the page offers only valid
    choices and ignores an edited address.

    Args:
        min_languages: language -> lowest CEFR level ("B1"; any case).
        licences: driving licence categories the jobseeker must hold.
        regions: regions the result must be in.
        max_km: largest distance between postcodes.
        requirements_met: only pairs where the jobseeker meets the vacancy's language levels and licences.

    Returns:
        The filters.
    """
    cefr = {level.value: level.rank for level in Cefr}
    return Filters(
        min_languages={
            lang.lower(): cefr[level.upper()] for lang, level in min_languages.items() if level.upper() in cefr
        },
        driving_licences=tuple(dict.fromkeys(lic for lic in licences if lic in DrivingLicence.__members__)),
        regions=tuple(dict.fromkeys(r for r in regions if r in Region.__members__)),
        max_km=max_km if max_km is not None and 0 < max_km <= MAX_KM else None,
        requirements_met=requirements_met,
    )


def filter_params(filters: Filters) -> dict[str, Any]:
    """The filters as the audit log keeps them (ranks as CEFR levels)."""
    names = {c.rank: c.value for c in Cefr}
    out: dict[str, Any] = {}
    if filters.min_languages:
        out["min_language"] = {lang: names[rank] for lang, rank in filters.min_languages.items()}
    if filters.driving_licences:
        out["licence"] = list(filters.driving_licences)
    if filters.regions:
        out["region"] = list(filters.regions)
    if filters.max_km is not None:
        out["max_km"] = filters.max_km
    if filters.requirements_met:
        out["requirements_met"] = True
    return out


MAX_ID = 2**31 - 1
"""The largest row id (users, tokens, contests, runs): what every database's integer key holds."""
RowId = Annotated[int, Path(ge=1, le=MAX_ID, description="A row's id.")]
"""Every integer id in a path: bounded here once, so that a huge number is a 422, never a database overflow."""
KParam = Annotated[int, Query(ge=1, le=200, description="How many results.")]
LangParam = Annotated[Language | None, Query(description="Reader's language (default: the profile's).")]
JobseekerId = Annotated[str, Path(pattern=ID_PATTERN, description="A jobseeker's dossier id.", examples=["J00001"])]
VacancyId = Annotated[str, Path(pattern=ID_PATTERN, description="A vacancy's id.", examples=["V00001"])]

__all__ = [
    "ID_PATTERN",
    "MAX_ID",
    "RowId",
    "IngestOut",
    "JobseekerId",
    "KParam",
    "LangParam",
    "RecordOut",
    "MAX_KM",
    "VacancyId",
    "build_filters",
    "filter_params",
    "filters_dependency",
]
