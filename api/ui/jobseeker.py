"""The jobseeker's pages: my dossier (skills edited with the ESCO typeahead), my suggested vacancies, why each
fits and which skills each would need."""

from __future__ import annotations

import copy
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from api.auth.roles import Principal
from api.auth.rules import AuditEntryDep, PrincipalDep
from api.deps import AuditDep, EngineDep, FairnessDep, IngestionDep, MatcherDep, ServicesDep, TypeaheadDep
from api.routes.records import read_row, read_rows
from api.ui.i18n import reader_language, translator
from api.ui.render import page
from esco_data import ConceptKind, UnknownConcept
from ingestion.models import RecordKind
from ingestion.schemas import ESCO_SKILL_PREFIX
from ingestion.validation import InvalidRecord
from matching.errors import UnknownProfile
from matching.guidance import basiskit, skill_gaps
from matching.profiles import ProfileKind
from matching.ranking import Filters

router = APIRouter(prefix="/ui", include_in_schema=False)
PAGE_ERRORS = frozenset({"skill_not_saved"})
"""What ``/ui/me?error=`` may name: a key of the pages' words, never a text the link carries."""


def _dossier_id(principal: Principal) -> str:
    if principal.jobseeker_id is None:
        raise UnknownProfile("this user owns no dossier")
    return principal.jobseeker_id


def _skills(data: dict[str, Any], services: ServicesDep, lang: str) -> list[dict[str, Any]]:
    out = []
    for i, item in enumerate(data.get("skills", [])):
        label = item.get("text") or item.get("uri") or ""
        if item.get("uri"):
            try:
                label = services.taxonomy.label(item["uri"], lang).text
            except UnknownConcept:
                pass
        out.append({"index": i, "label": label})
    return out


@router.get("/me")
def my_dossier(
    request: Request,
    engine: EngineDep,
    services: ServicesDep,
    matcher: MatcherDep,
    principal: PrincipalDep,
    trail: AuditEntryDep,
    error: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """My dossier and the vacancies suggested for it (audited as a suggestion list)."""
    dossier_id = _dossier_id(principal)
    row = read_row(engine, "jobseeker", dossier_id)
    lang = reader_language(request)
    matches = matcher.vacancies_for(dossier_id, 10, Filters(), lang) if row["active"] else []
    trail.results, trail.params = [m.id for m in matches], {"k": 10, "page": True}
    titles = {vid: r["data"].get("title") for vid, r in read_rows(engine, "vacancy", [m.id for m in matches]).items()}
    return page(
        request,
        "me.html",
        dossier=row,
        skills=_skills(row["data"], services, lang),
        matches=matches,
        titles=titles,
        error=translator(lang)[error] if error in PAGE_ERRORS else None,
    )


def _store(service: IngestionDep, data: dict[str, Any]) -> str | None:
    """Store the changed dossier; the error's key when it is refused (the reader is told in their language)."""
    try:
        service.ingest_one(RecordKind.jobseeker, data)
    except InvalidRecord:
        return "skill_not_saved"
    return None


@router.post("/me/skills")
def add_skill(
    engine: EngineDep,
    service: IngestionDep,
    principal: PrincipalDep,
    uri: Annotated[str, Form(max_length=300)] = "",
    q: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    """Add a skill to my dossier: the ESCO concept chosen in the typeahead, or the text typed."""
    row = read_row(engine, "jobseeker", _dossier_id(principal))
    data = copy.deepcopy(row["data"])
    if uri.startswith(ESCO_SKILL_PREFIX):
        item: dict[str, Any] = {"uri": uri, "source": "self"}
    elif q.strip():
        item = {"text": q.strip(), "source": "self"}
    else:
        return RedirectResponse("/ui/me", status_code=303)
    if not any(s.get("uri") == item.get("uri") and s.get("text") == item.get("text") for s in data["skills"]):
        data["skills"].append(item)
    error = _store(service, data)
    return RedirectResponse("/ui/me" + (f"?error={error}" if error else ""), status_code=303)


@router.post("/me/skills/remove")
def remove_skill(
    engine: EngineDep, service: IngestionDep, principal: PrincipalDep, index: Annotated[int, Form(ge=0, le=1000)]
) -> Response:
    """Remove a skill from my dossier."""
    row = read_row(engine, "jobseeker", _dossier_id(principal))
    data = copy.deepcopy(row["data"])
    if index < len(data.get("skills", [])):
        del data["skills"][index]
    error = _store(service, data)
    return RedirectResponse("/ui/me" + (f"?error={error}" if error else ""), status_code=303)


@router.get("/typeahead/skills")
def skill_options(
    request: Request,
    services: ServicesDep,
    typeahead: TypeaheadDep,
    q: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    """The typeahead's options (an htmx fragment): ESCO skills whose label has a word starting with ``q``."""
    lang = reader_language(request)
    found = typeahead.search(q, ConceptKind.skill, lang, 8) if q.strip() else []
    suggestions = [
        {"uri": s.uri, "label": services.taxonomy.label(s.uri, lang).text, "matched_label": s.label} for s in found
    ]
    return page(request, "_options.html", suggestions=suggestions, q=q)


@router.get("/me/progress")
def my_progress(
    request: Request,
    fairness: FairnessDep,
    principal: PrincipalDep,
    audit: AuditDep,
    sent: Annotated[int, Query(ge=0, le=1)] = 0,
) -> Response:
    """How suggestions are made and how to contest one; the skills that would bring the most vacancies; the
    language and digital basiskit."""
    dossier_id = _dossier_id(principal)
    lang = reader_language(request)
    store = fairness.engine.store
    if store is None:
        raise UnknownProfile("no profile store")
    profile = store.get(ProfileKind.jobseeker, dossier_id)
    return page(
        request,
        "progress.html",
        notice=fairness.rights.notice(dossier_id, lang).to_json(),
        gaps=skill_gaps(fairness.engine, profile, config=fairness.config.skill_gap, lang=lang, limit=5).to_json(),
        kit=basiskit(fairness.engine, profile, lang=lang).to_json(),
        sent=bool(sent),
        done_for_you=audit.done_for(dossier_id),
    )


@router.post("/me/contest")
def contest_suggestions(
    fairness: FairnessDep,
    principal: PrincipalDep,
    message: Annotated[str, Form(min_length=1, max_length=2000)],
) -> Response:
    """Contest how suggestions are made: the request reaches a consultant."""
    fairness.rights.contest(_dossier_id(principal), message, None)
    return RedirectResponse("/ui/me/progress?sent=1", status_code=303)
