"""Linking: a text (French, Dutch or English) -> the ESCO concepts in it, with the span each came from.

The text travels in the request body, so that it never lands in access logs.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import ServicesDep
from api.strict import strict_body
from ingestion.schemas import Language

router = APIRouter(prefix="/link", tags=["esco"])


class LinkIn(BaseModel):
    """A text to link to ESCO."""

    text: str = Field(min_length=1, max_length=5000, description="A title, a skill phrase or a longer text.")
    kind: Literal["skill", "occupation"] = "skill"
    lang: Language = Field(default=Language.fr, description="Language of the labels returned.")
    text_lang: Language | None = Field(default=None, description="Language of the text (detected when absent).")

    model_config = {
        "json_schema_extra": {
            "examples": [{"text": "Bakker met ervaring in deeg kneden, HACCP", "kind": "skill", "lang": "nl"}]
        }
    }


class Span(BaseModel):
    """A concept found in the text."""

    uri: str
    kind: str
    score: float
    label: str
    """The concept's preferred label in the language asked for (with fallback)."""
    label_lang: str
    start: int
    """Where the phrase that gave the concept starts in the text (a character offset)."""
    end: int


@router.post("", response_model=list[Span], dependencies=[strict_body(LinkIn)])
def link(body: LinkIn, services: ServicesDep) -> list[Span]:
    """The ESCO concepts in a text, each with the span of the text it came from."""
    tx = services.taxonomy
    found = services.linker.extract(body.text, body.kind, body.text_lang.value if body.text_lang else None)
    out = []
    for c in found:
        label = tx.label(c.uri, body.lang.value)
        out.append(
            Span(uri=c.uri, kind=c.kind.value, score=round(c.score, 4), label=label.text, label_lang=label.lang,
                 start=c.start, end=c.end)
        )  # fmt: skip
    return out
