"""ESCO: typeahead over skill and occupation labels, and a concept in the reader's language."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import ServicesDep, TypeaheadDep
from esco_data import ConceptKind
from ingestion.schemas import Language

router = APIRouter(prefix="/esco", tags=["esco"])


class ConceptOut(BaseModel):
    """A concept in the reader's language."""

    uri: str
    kind: str
    label: str
    label_lang: str
    fallback: bool
    description: str | None
    broader: list[str]


class SuggestionOut(BaseModel):
    """A concept one of whose labels has a word that starts with what was typed."""

    uri: str
    label: str
    """The concept's preferred label in the language asked for."""
    matched_label: str
    """The label that matched (preferred or alternative)."""
    lang: str


Typed = Annotated[str, Query(min_length=1, max_length=100, description="What was typed so far.")]
TypeaheadLang = Annotated[Language, Query(description="Language of the labels searched and shown.")]
TypeaheadK = Annotated[int, Query(ge=1, le=50, description="How many concepts.")]


def _suggest(
    services: ServicesDep, typeahead: TypeaheadDep, q: str, kind: ConceptKind, lang: Language, k: int
) -> list[SuggestionOut]:
    tx = services.taxonomy
    return [
        SuggestionOut(uri=s.uri, label=tx.label(s.uri, lang.value).text, matched_label=s.label, lang=s.lang)
        for s in typeahead.search(q, kind, lang.value, k)
    ]


@router.get("/skills", response_model=list[SuggestionOut])
def skills_typeahead(
    services: ServicesDep, typeahead: TypeaheadDep, q: Typed, lang: TypeaheadLang = Language.fr, k: TypeaheadK = 10
) -> list[SuggestionOut]:
    """ESCO skills whose label (fr, nl or en) has a word starting with ``q``, best first (for typeahead)."""
    return _suggest(services, typeahead, q, ConceptKind.skill, lang, k)


@router.get("/occupations", response_model=list[SuggestionOut])
def occupations_typeahead(
    services: ServicesDep, typeahead: TypeaheadDep, q: Typed, lang: TypeaheadLang = Language.fr, k: TypeaheadK = 10
) -> list[SuggestionOut]:
    """ESCO occupations whose label has a word starting with ``q``, best first (for typeahead)."""
    return _suggest(services, typeahead, q, ConceptKind.occupation, lang, k)


@router.get("/concepts", response_model=ConceptOut)
def get_concept(
    services: ServicesDep,
    uri: Annotated[
        str,
        Query(
            pattern=r"^http://data\.europa\.eu/esco/[A-Za-z0-9._~/-]+$",
            max_length=300,
            description="The concept's ESCO URI.",
        ),
    ],
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
