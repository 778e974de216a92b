"""The jobseeker's pages: my dossier (skills edited with the ESCO typeahead, with a word on what each addition
did), my suggested vacancies with why each fits and the details of each, "I am interested"; my progress (the
skills that would bring the most vacancies, each one click from my dossier, the basiskit); my rights (notice,
contest, export, opt-out, erasure)."""

from __future__ import annotations

import copy
import json
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from api.auth.roles import Principal
from api.auth.rules import COOKIE, AuditEntryDep, PrincipalDep
from api.deps import (
    AuditDep,
    CorrectionsDep,
    EngineDep,
    FairnessDep,
    IngestionDep,
    InterestsDep,
    MatcherDep,
    ServicesDep,
    TypeaheadDep,
)
from api.routes.common import VacancyId
from api.routes.records import read_row, read_rows
from api.ui.corrections import SAID as CORRECTED
from api.ui.corrections import options_page
from api.ui.i18n import reader_language
from api.ui.render import page
from api.ui.understood import LEVELS, understood
from esco_data import ConceptKind, UnknownConcept
from ingestion.models import RecordKind
from ingestion.schemas import ESCO_SKILL_PREFIX
from ingestion.validation import InvalidRecord
from matching.errors import UnknownProfile
from matching.guidance import basiskit, skill_gaps
from matching.profiles import ProfileKind
from matching.ranking import Filters, place_of, score_pairs

router = APIRouter(prefix="/ui", include_in_schema=False)


def _dossier_id(principal: Principal) -> str:
    if principal.jobseeker_id is None:
        raise UnknownProfile("this user owns no dossier")
    return principal.jobseeker_id


def _skills(data: dict[str, Any], services: ServicesDep, lang: str) -> list[dict[str, Any]]:
    out = []
    for i, item in enumerate(data.get("skills", [])):
        label, label_lang = item.get("text") or item.get("uri") or "", None
        if item.get("uri"):
            try:
                found = services.taxonomy.label(item["uri"], lang)
                label, label_lang = found.text, found.lang
            except UnknownConcept:
                pass
        out.append({"index": i, "label": label, "lang": label_lang, "coded": bool(item.get("uri"))})
    return out


@router.get("/me")
def my_dossier(
    request: Request,
    engine: EngineDep,
    services: ServicesDep,
    matcher: MatcherDep,
    fairness: FairnessDep,
    interests: InterestsDep,
    principal: PrincipalDep,
    trail: AuditEntryDep,
    corrections: CorrectionsDep,
    said: Annotated[str, Query(max_length=40)] = "",
    skill: Annotated[str, Query(max_length=300)] = "",
    at: Annotated[int | None, Query(ge=0, le=1000)] = None,
) -> Response:
    """My dossier, what the engine understood from it (to confirm or correct in one click), and the vacancies
    suggested for it (audited as a suggestion list).

    What the page says after a change is a key of its words (``said``), an ESCO concept (``skill``) and the
    place of a skill in the dossier (``at``): never a text the link carries, so a forged link cannot make the
    page say something."""
    dossier_id = _dossier_id(principal)
    row = read_row(engine, "jobseeker", dossier_id)
    held = row["data"].get("skills") or []
    text = (held[at].get("text") or "") if at is not None and at < len(held) else ""
    corrected = said if said in CORRECTED else ""
    said = said if said in SAID else ""
    skill = skill if skill.startswith(ESCO_SKILL_PREFIX) else ""
    lang = reader_language(request)
    matches = matcher.vacancies_for(dossier_id, 10, Filters(), lang) if row["active"] else []
    trail.results, trail.params = [m.id for m in matches], {"k": 10, "page": True}
    vacancies = read_rows(engine, "vacancy", [m.id for m in matches])
    return page(
        request,
        "me.html",
        dossier=row,
        skills=_skills(row["data"], services, lang),
        matches=matches,
        titles={vid: r["data"].get("title") for vid, r in vacancies.items()},
        interested={i.vacancy_id for i in interests.of_jobseeker(dossier_id)},
        opted_out=fairness.rights.is_opted_out(dossier_id),
        said=said,
        said_skill=skill,
        said_text=text,
        seen=understood(RecordKind.jobseeker, row, fairness.engine.store, corrections),
        levels=LEVELS,
        corrected=corrected,
    )


def _store(service: IngestionDep, data: dict[str, Any]) -> list[Any] | None:
    try:
        service.ingest_one(RecordKind.jobseeker, data)
    except InvalidRecord as exc:
        return list(exc.errors)
    return None


SAID = frozenset(
    {"already", "added", "linked", "linked_already", "kept_as_text", "removed", "removed_text", "invalid", "empty"}
)
"""What ``/ui/me?said=`` may name: keys of the pages' words (``said_<key>``)."""


def _back(said: str, **more: str) -> Response:
    return RedirectResponse("/ui/me?" + urlencode({"said": said, **more}) + "#skills-h", status_code=303)


@router.post("/me/skills")
def add_skill(
    engine: EngineDep,
    service: IngestionDep,
    principal: PrincipalDep,
    uri: Annotated[str, Form(max_length=300)] = "",
    q: Annotated[str, Form(max_length=300)] = "",
    back: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Add a skill to my dossier: the ESCO concept chosen in the typeahead, or the text typed; the page says
    whether it was already there and, for a text, which ESCO skill it was linked to."""
    row = read_row(engine, "jobseeker", _dossier_id(principal))
    data = copy.deepcopy(row["data"])
    held = data.setdefault("skills", [])
    if uri.startswith(ESCO_SKILL_PREFIX):
        if any(s.get("uri") == uri for s in held):
            return _back("already", skill=uri)
        held.append({"uri": uri, "source": "self"})
    elif q.strip():
        text = q.strip()
        same = [i for i, s in enumerate(held) if (s.get("text") or "").casefold() == text.casefold()]
        if same:
            return _back("already", at=str(same[0]))
        held.append({"text": text, "source": "self"})
    else:
        return _back("empty")
    if _store(service, data) is not None:
        return _back("invalid")
    if uri:
        target = "/ui/me/progress?" + urlencode({"said": "added", "skill": uri}) if back == "progress" else None
        return RedirectResponse(target, status_code=303) if target else _back("added", skill=uri)
    at = str(len(held) - 1)
    field = f"skills[{at}].text"
    linked = next((link for link in read_row(engine, "jobseeker", row["id"])["links"] if link["field"] == field), None)
    if linked is None:
        return _back("kept_as_text", at=at)
    if any(s.get("uri") == linked["uri"] for s in held):
        return _back("linked_already", at=at, skill=linked["uri"])
    return _back("linked", at=at, skill=linked["uri"])


@router.post("/me/skills/remove")
def remove_skill(
    engine: EngineDep, service: IngestionDep, principal: PrincipalDep, index: Annotated[int, Form(ge=0, le=1000)]
) -> Response:
    """Remove a skill from my dossier."""
    row = read_row(engine, "jobseeker", _dossier_id(principal))
    data = copy.deepcopy(row["data"])
    if index >= len(data.get("skills", [])):
        return _back("empty")
    gone = data["skills"].pop(index)
    if _store(service, data) is not None:
        return _back("invalid")
    return _back("removed", skill=gone["uri"]) if gone.get("uri") else _back("removed_text")


@router.get("/typeahead/skills")
def skill_options(
    request: Request,
    services: ServicesDep,
    typeahead: TypeaheadDep,
    q: Annotated[str, Query(max_length=100)] = "",
    pick: Annotated[int, Query(ge=0, le=1)] = 0,
) -> Response:
    """The typeahead's options (an htmx fragment): ESCO skills whose label has a word starting with ``q``
    (``pick=1``: for a form that takes a coded skill only, so it offers no "as typed")."""
    none = "no_concept_found" if pick else "no_skill_found"
    return options_page(request, services, typeahead, q, ConceptKind.skill, none)


@router.get("/me/vacancies/{vacancy_id}")
def vacancy_details(
    request: Request,
    vacancy_id: VacancyId,
    engine: EngineDep,
    fairness: FairnessDep,
    interests: InterestsDep,
    principal: PrincipalDep,
    said: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    """A suggested vacancy: what it is (description, employer, contract, place, languages, licences), why it fits
    me, what I would still need, and "I am interested"."""
    dossier_id = _dossier_id(principal)
    row = read_row(engine, "vacancy", vacancy_id)
    lang = reader_language(request)
    store = fairness.engine.store
    if store is None:
        raise UnknownProfile("no profile store")
    found = score_pairs(fairness.engine, store.get(ProfileKind.jobseeker, dossier_id), [vacancy_id], lang)
    place = place_of(row["data"].get("postcode"))
    return page(
        request,
        "vacancy_details.html",
        vacancy=row,
        data=row["data"],
        match=found[0] if found else None,
        region=place.region.value if place else None,
        interested=any(i.vacancy_id == vacancy_id for i in interests.of_jobseeker(dossier_id)),
        said=said,
    )


@router.post("/me/vacancies/{vacancy_id}/interest")
def interest(
    vacancy_id: VacancyId,
    engine: EngineDep,
    interests: InterestsDep,
    principal: PrincipalDep,
    interested: Annotated[bool, Form()] = True,
) -> Response:
    """Say I am interested in a vacancy (a consultant sees it in their queue), or take it back."""
    dossier_id = _dossier_id(principal)
    read_row(engine, "vacancy", vacancy_id)
    if interested:
        interests.mark(dossier_id, vacancy_id)
    else:
        interests.withdraw(dossier_id, vacancy_id)
    said = "interested" if interested else "not_interested"
    return RedirectResponse(f"/ui/me/vacancies/{vacancy_id}?said={said}", status_code=303)


@router.get("/me/progress")
def my_progress(
    request: Request,
    fairness: FairnessDep,
    principal: PrincipalDep,
    audit: AuditDep,
    sent: Annotated[int, Query(ge=0, le=1)] = 0,
    said: Annotated[str, Query(max_length=32)] = "",
    skill: Annotated[str, Query(max_length=300)] = "",
) -> Response:
    """How suggestions are made and how to contest one; the skills that would bring the most vacancies (each one
    click from my dossier); the language and digital basiskit; export, opt-out and erasure."""
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
        opted_out=fairness.rights.is_opted_out(dossier_id),
        sent=bool(sent),
        said=said,
        said_skill=skill,
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
    return RedirectResponse("/ui/me/progress?sent=1#notice-h", status_code=303)


@router.get("/me/export")
def export_my_data(fairness: FairnessDep, principal: PrincipalDep) -> Response:
    """Everything stored about me, as a JSON file to keep (audited)."""
    dossier_id = _dossier_id(principal)
    data = fairness.rights.export(dossier_id)
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="skillmatch-{dossier_id}.json"'},
    )


@router.post("/me/opt-out")
def opt_out(
    fairness: FairnessDep,
    principal: PrincipalDep,
    trail: AuditEntryDep,
    out: Annotated[bool, Form()],
    confirm: Annotated[str, Form(max_length=3)] = "",
) -> Response:
    """Refuse to be proposed to employers (after confirming), or accept it again; my own suggestions stay."""
    if out and confirm != "yes":
        trail.skipped = True
        return RedirectResponse("/ui/me/progress?said=confirm_needed#rights-h", status_code=303)
    fairness.rights.set_opt_out(_dossier_id(principal), out)
    return RedirectResponse(f"/ui/me/progress?said={'opted_out' if out else 'opted_in'}#rights-h", status_code=303)


@router.post("/me/erase")
def erase(
    request: Request,
    fairness: FairnessDep,
    principal: PrincipalDep,
    trail: AuditEntryDep,
    confirm: Annotated[str, Form(max_length=3)] = "",
) -> Response:
    """Erase my dossier (after confirming): then I am signed out and told it is done."""
    if confirm != "yes":
        trail.skipped = True
        return RedirectResponse("/ui/me/progress?said=confirm_needed#rights-h", status_code=303)
    fairness.rights.erase(_dossier_id(principal))
    response = RedirectResponse(f"/login?done=erased&lang={reader_language(request)}", status_code=303)
    response.delete_cookie(COOKIE)
    return response
