"""ESCO: link text to concepts, and read a concept in the reader's language."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import ServicesDep
from ingestion.schemas import Language

router = APIRouter(prefix="/esco", tags=["esco"])


class LinkedOut(BaseModel):
    """A concept a text links to."""

    uri: str
    kind: str
    score: float
    label: str
    """The concept's preferred label in the reader's language (with fallback)."""
    label_lang: str
    matched_label: str
    """The label of the concept that matched the text."""


class ConceptOut(BaseModel):
    """A concept in the reader's language."""

    uri: str
    kind: str
    label: str
    label_lang: str
    fallback: bool
    description: str | None
    broader: list[str]


@router.get("/link", response_model=list[LinkedOut])
def link_text(
    services: ServicesDep,
    text: Annotated[str, Query(min_length=1, max_length=300, description="A title or a skill phrase.")],
    kind: Annotated[Literal["skill", "occupation"], Query()] = "skill",
    k: Annotated[int, Query(ge=1, le=50)] = 5,
    lang: Annotated[Language, Query(description="Reader's language.")] = Language.fr,
) -> list[LinkedOut]:
    """Rank the ESCO concepts a short text (French, Dutch or English) stands for."""
    tx = services.taxonomy
    out = []
    for c in services.linker.link(text, kind, k=k):
        label = tx.label(c.uri, lang.value)
        out.append(
            LinkedOut(
                uri=c.uri,
                kind=c.kind.value,
                score=round(c.score, 4),
                label=label.text,
                label_lang=label.lang,
                matched_label=c.label,
            )
        )
    return out


@router.get("/concepts", response_model=ConceptOut)
def get_concept(
    services: ServicesDep,
    uri: Annotated[str, Query(description="The concept's ESCO URI.")],
    lang: Annotated[Language, Query()] = Language.fr,
) -> ConceptOut:
    """An ESCO concept with its label and description in the reader's language."""
    tx = services.taxonomy
    concept = tx.concept(uri)
    label = tx.label(uri, lang.value)
    description = tx.description(uri, lang.value)
    return ConceptOut(
        uri=uri,
        kind=concept.kind.value,
        label=label.text,
        label_lang=label.lang,
        fallback=label.fallback,
        description=description.text if description else None,
        broader=tx.broader(uri),
    )
