"""Confirm or correct in one click, in the pages: a vacancy's (consultant), a dossier's (consultant) and my own
dossier's (jobseeker) occupation, skills and language levels; the consultant's view of a dossier (what the engine
understood from it); the typeahead of occupations; the administrator's learned links (list, search, undo).

The pages show and send; the rules are the correction service's (``ingestion.corrections``) through
``api.ui.understood.correct``, audited as the API's corrections are. After a correction the page it came from is
shown again: its candidates are ranked from the corrected record at once. What a page says after a change is a
key of its words (``saved``/``said``): never a text the link carries.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from api.auth.rules import AuditEntryDep, PrincipalDep
from api.deps import CorrectionsDep, EngineDep, FairnessDep, ServicesDep, TypeaheadDep
from api.routes.common import JobseekerId, RowId, VacancyId
from api.routes.records import read_row
from api.ui.i18n import reader_language
from api.ui.render import page
from api.ui.understood import LEVELS, correct, understood
from esco_data import ConceptKind
from ingestion.corrections import CorrectionAction
from ingestion.models import RecordKind
from matching.errors import UnknownProfile
from matching.linking import InvalidLearnedLink, UnknownLearnedLink

router = APIRouter(prefix="/ui", include_in_schema=False)

SAID = frozenset(
    {
        "correction_empty",
        "correction_invalid",
        "correction_unchanged",
        *(f"corrected_{a.value}" for a in CorrectionAction),
        *(f"corrected_{a.value}_taught" for a in CorrectionAction if a is not CorrectionAction.language),
    }
)
"""What a page may say after a correction (keys of its words, ``said_<key>``)."""

Uri = Annotated[
    str, Form(max_length=200, pattern=r"^(|http://data\.europa\.eu/esco/(skill|occupation)/[A-Za-z0-9._~/-]+)$")
]
Item = Annotated[str, Form(max_length=32, pattern=r"^(|title|(experiences|desired_occupations)\[[0-9]{1,3}\])$")]
Text = Annotated[str, Form(max_length=300)]
Lang = Annotated[str, Form(max_length=2, pattern=r"^(|[a-z]{2})$")]
Level = Annotated[str, Form(max_length=2, pattern=r"^(|[ABC][12])$")]


def _form(
    action: Annotated[CorrectionAction, Form()],
    uri: Uri = "",
    item: Item = "",
    text: Text = "",
    required: Annotated[str, Form(max_length=1)] = "1",
    lang: Lang = "",
    level: Level = "",
) -> dict[str, str]:
    """A correction form's fields (``api.ui.understood.correct``)."""
    return {"action": action.value, "uri": uri, "item": item, "text": text, "required": required, "lang": lang,
            "level": level}  # fmt: skip


CorrectionForm = Annotated[dict[str, str], Depends(_form)]


def options_page(
    request: Request, services: ServicesDep, typeahead: TypeaheadDep, q: str, kind: ConceptKind, none: str
) -> Response:
    """A typeahead's options (an htmx fragment): ESCO concepts of a kind whose label has a word starting with
    ``q``, each a button that sends its form with the concept (``uri``)."""
    lang = reader_language(request)
    found = typeahead.search(q, kind, lang, 8) if q.strip() else []
    suggestions = []
    for s in found:
        label = services.taxonomy.label(s.uri, lang)
        suggestions.append({"uri": s.uri, "label": label.text, "lang": label.lang, "matched_label": s.label})
    verb = "choose" if kind is ConceptKind.occupation else "add"
    return page(request, "_options.html", suggestions=suggestions, q=q, verb=verb, none=none)


@router.post("/vacancies/{vacancy_id}/corrections")
def correct_vacancy(
    vacancy_id: VacancyId,
    corrections: CorrectionsDep,
    principal: PrincipalDep,
    trail: AuditEntryDep,
    form: CorrectionForm,
) -> Response:
    """Correct what the engine understood from a vacancy; its candidates are ranked again at once."""
    said = correct(RecordKind.vacancy, vacancy_id, form, corrections, principal, trail)
    return RedirectResponse(f"/ui/vacancies/{vacancy_id}?{urlencode({'said': said})}#understood-h", status_code=303)


@router.get("/jobseekers/{jobseeker_id}")
def dossier_page(
    request: Request,
    jobseeker_id: JobseekerId,
    engine: EngineDep,
    fairness: FairnessDep,
    corrections: CorrectionsDep,
    trail: AuditEntryDep,
    said: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """A dossier as the engine understood it, for a consultant to confirm or correct (audited)."""
    row = read_row(engine, "jobseeker", jobseeker_id)
    trail.results = [jobseeker_id]
    trail.params = {"page": True}
    return page(
        request,
        "dossier.html",
        dossier=row,
        seen=understood(RecordKind.jobseeker, row, fairness.engine.store, corrections),
        levels=LEVELS,
        action=f"/ui/jobseekers/{jobseeker_id}/corrections",
        said=said if said in SAID else "",
    )


@router.post("/jobseekers/{jobseeker_id}/corrections")
def correct_dossier(
    jobseeker_id: JobseekerId,
    corrections: CorrectionsDep,
    principal: PrincipalDep,
    trail: AuditEntryDep,
    form: CorrectionForm,
) -> Response:
    """Correct what the engine understood from a dossier (a consultant: it teaches the engine for the title)."""
    said = correct(RecordKind.jobseeker, jobseeker_id, form, corrections, principal, trail)
    return RedirectResponse(f"/ui/jobseekers/{jobseeker_id}?{urlencode({'said': said})}#understood-h", status_code=303)


@router.post("/me/corrections")
def correct_my_dossier(
    corrections: CorrectionsDep,
    principal: PrincipalDep,
    trail: AuditEntryDep,
    form: CorrectionForm,
) -> Response:
    """Correct what the engine understood from my dossier: it changes my dossier only (it teaches nothing)."""
    if principal.jobseeker_id is None:
        raise UnknownProfile("this user owns no dossier")
    said = correct(RecordKind.jobseeker, principal.jobseeker_id, form, corrections, principal, trail)
    return RedirectResponse(f"/ui/me?{urlencode({'said': said})}#understood-h", status_code=303)


@router.get("/typeahead/occupations")
def occupation_options(
    request: Request,
    services: ServicesDep,
    typeahead: TypeaheadDep,
    q: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    """The occupations' typeahead (an htmx fragment): ESCO occupations whose label has a word starting with ``q``;
    each option sends its form with that occupation."""
    return options_page(request, services, typeahead, q, ConceptKind.occupation, "no_occupation_found")


@router.get("/admin/learned-links")
def learned_links_page(
    request: Request,
    corrections: CorrectionsDep,
    q: Annotated[str, Query(max_length=300)] = "",
    undone: Annotated[str, Query(max_length=3)] = "",
    saved: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """What consultants taught the engine, newest first: phrase, concept, confirmed or rejected, who, when; search
    by the phrase's words; undo one."""
    learned = corrections.linker.learned
    show = {"": False, "all": None, "yes": True}.get(undone, False)
    links = learned.search(q=q.strip() or None, undone=show, limit=200) if learned is not None else []
    return page(
        request, "admin_learned.html", links=links, q=q, undone=undone,
        saved=saved if saved in ("undone", "already_undone") else "",
    )  # fmt: skip


@router.post("/admin/learned-links/{link_id}/undo")
def undo_learned_link(
    link_id: RowId, corrections: CorrectionsDep, principal: PrincipalDep, trail: AuditEntryDep
) -> Response:
    """Undo a learned link: it stops counting at once, the correction that taught it is undone where its record
    still says so, and the records linked with it are linked again (audited)."""
    try:
        done = corrections.undo_learned(link_id, principal.subject)
    except UnknownLearnedLink as exc:
        raise UnknownProfile(str(exc)) from None
    except InvalidLearnedLink:
        trail.skipped = True
        return RedirectResponse("/ui/admin/learned-links?saved=already_undone", status_code=303)
    trail.target, trail.results = done.link.record_id, [str(link_id)]
    trail.params = {"reverted": done.reverted, "relinked": len(done.relinked), "page": True}
    return RedirectResponse("/ui/admin/learned-links?saved=undone&undone=all", status_code=303)


__all__ = ["SAID", "options_page", "router"]
