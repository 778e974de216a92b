"""Query parameters and response models shared by the resource routers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel

from ingestion.schemas import Cefr, DrivingLicence, Language, Region
from matching.filters import Filters


class IngestOut(BaseModel):
    """What happened to a submitted record."""

    status: str
    id: str
    warnings: list[str]


class RecordOut(BaseModel):
    """A stored record: the validated data, the ESCO links found in its text, and (vacancies) screen flags."""

    id: str
    data: dict[str, Any]
    links: list[dict[str, Any]]
    flags: list[dict[str, Any]] | None = None
    updated_at: str


def filters_dependency(
    min_language: Annotated[
        list[str], Query(description="Minimum level per language, as lang:level, e.g. nl:B1 (repeatable).")
    ] = [],  # noqa: B006 - FastAPI reads the default, never mutates it
    licence: Annotated[list[DrivingLicence], Query(description="Driving licences the jobseeker must hold.")] = [],  # noqa: B006
    region: Annotated[list[Region], Query(description="Regions the result must be in.")] = [],  # noqa: B006
    max_km: Annotated[float | None, Query(gt=0, le=500, description="Largest distance between postcodes.")] = None,
    requirements_met: Annotated[
        bool, Query(description="Only pairs where the jobseeker meets the vacancy's language levels and licences.")
    ] = False,
) -> Filters:
    """Hard filters from query parameters."""
    levels: dict[str, int] = {}
    for item in min_language:
        lang, sep, level = item.partition(":")
        if not sep or len(lang.strip()) != 2 or level.strip().upper() not in Cefr.__members__:
            from fastapi.exceptions import RequestValidationError

            raise RequestValidationError(
                [
                    {
                        "loc": ("query", "min_language"),
                        "msg": f"expected language:CEFR level such as nl:B1, found {item!r}",
                        "type": "value_error",
                    }
                ]
            )
        levels[lang.strip().lower()] = Cefr(level.strip().upper()).rank
    return Filters(
        min_languages=levels,
        driving_licences=tuple(lic.value for lic in licence),
        regions=tuple(r.value for r in region),
        max_km=max_km,
        requirements_met=requirements_met,
    )


KParam = Annotated[int, Query(ge=1, le=200, description="How many results.")]
LangParam = Annotated[Language | None, Query(description="Reader's language (default: the profile's).")]

__all__ = ["IngestOut", "KParam", "LangParam", "RecordOut", "filters_dependency"]
