"""Service health: is the taxonomy loaded, which ESCO version, how many concepts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import EngineDep
from esco_data import current_release

router = APIRouter(tags=["health"])


class EscoStatus(BaseModel):
    """The loaded ESCO release."""

    version: str
    checksum: str
    languages: list[str]
    counts: dict[str, Any]


class Health(BaseModel):
    """Health of the service."""

    status: str
    esco: EscoStatus | None


@router.get("/health")
def health(engine: EngineDep) -> Health:
    """Service health with the ESCO version and concept counts."""
    release = current_release(engine)
    if release is None:
        return Health(status="no_taxonomy", esco=None)
    return Health(
        status="ok",
        esco=EscoStatus(
            version=release.version,
            checksum=release.checksum,
            languages=release.languages,
            counts=release.counts,
        ),
    )
