"""Learned links (administrators): list and search what consultants taught the linker, and undo a link."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.auth.rules import AuditEntryDep, PrincipalDep
from api.deps import CorrectionsDep
from api.errors import Conflict
from api.routes.common import RowId
from api.routes.corrections_common import LearnedOut
from matching.errors import UnknownProfile
from matching.linking import InvalidLearnedLink, UnknownLearnedLink, Verdict

router = APIRouter(prefix="/admin/learned-links", tags=["learned links"])


class UndoneOut(BaseModel):
    """What undoing a learned link did."""

    link: LearnedOut
    reverted: list[str]
    """Records whose correction was undone (``kind:id``)."""
    relinked: list[str]
    """Records linked again without the link (``kind:id``)."""


@router.get("", response_model=list[LearnedOut])
def search_learned_links(
    corrections: CorrectionsDep,
    q: Annotated[
        str | None, Query(max_length=300, description="Words of the phrase (as written or normalised).")
    ] = None,
    kind: Literal["occupation", "skill"] | None = None,
    verdict: Verdict | None = None,
    uri: Annotated[str | None, Query(max_length=200, description="Only links to this ESCO concept.")] = None,
    undone: Annotated[bool | None, Query(description="true: only undone links; false: only those that count.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[LearnedOut]:
    """Learned links, newest first: phrase, concept, confirmed or rejected, who, when, what had been proposed."""
    learned = corrections.linker.learned
    if learned is None:
        return []
    found = learned.search(q=q, kind=kind, verdict=verdict, uri=uri, undone=undone, limit=limit, offset=offset)
    return [LearnedOut(**link.to_json()) for link in found]


@router.get("/{link_id}", response_model=LearnedOut)
def get_learned_link(link_id: RowId, corrections: CorrectionsDep) -> LearnedOut:
    """One learned link."""
    learned = corrections.linker.learned
    try:
        if learned is None:
            raise UnknownLearnedLink(f"no learned link with id {link_id}")
        return LearnedOut(**learned.get(link_id).to_json())
    except UnknownLearnedLink as exc:
        raise UnknownProfile(str(exc)) from None


@router.post("/{link_id}/undo", response_model=UndoneOut)
def undo_learned_link(
    link_id: RowId, corrections: CorrectionsDep, principal: PrincipalDep, trail: AuditEntryDep
) -> UndoneOut:
    """Undo a learned link: it stops counting at once; the correction that taught it is undone on its record (when
    the record still says so) and every record linked with it is linked again (logged in the audit log)."""
    try:
        done = corrections.undo_learned(link_id, principal.subject)
    except UnknownLearnedLink as exc:
        raise UnknownProfile(str(exc)) from None
    except InvalidLearnedLink as exc:
        raise Conflict(str(exc)) from None
    trail.target, trail.results = done.link.record_id, [str(link_id)]
    trail.params = {"reverted": done.reverted, "relinked": len(done.relinked)}
    return UndoneOut(link=LearnedOut(**done.link.to_json()), reverted=done.reverted, relinked=done.relinked)
