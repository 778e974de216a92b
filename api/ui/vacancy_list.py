"""The consultant's vacancies: the list (count, search by id, title, occupation or employer, filters, sort,
pages), a pasted vacancy, and a vacancy's edit and close.

The list reads the stored rows and searches them here: the occupation a vacancy is for is its stated ESCO
occupation, else the one its title was linked to, shown and searched in the reader's language.
"""

from __future__ import annotations

import copy
import secrets
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from sqlalchemy import select
from starlette.responses import RedirectResponse, Response

from api.deps import EngineDep, IngestionDep, ServicesDep
from api.routes.common import VacancyId
from api.routes.records import read_row, replace_field
from api.ui.i18n import LANGUAGES, reader_language
from api.ui.render import page
from esco_data import UnknownConcept, normalize_label
from ingestion.models import RecordKind, VacancyRecord
from ingestion.schemas import Cefr, ContractType, DrivingLicence, WorkingTime
from ingestion.validation import InvalidRecord

router = APIRouter(prefix="/ui/vacancies", include_in_schema=False)
PAGE_SIZE = 25
SORTS = ("id", "title", "occupation", "employer", "updated", "flags")
STATUSES = ("open", "closed", "all")


@dataclass
class VacancyRow:
    """One line of the list."""

    id: str
    title: str
    language: str
    status: str
    employer: str | None
    occupation: str | None
    occupation_lang: str | None
    flags: int
    updated_at: Any


def occupation_uri(data: dict[str, Any], links: list[dict[str, Any]]) -> str | None:
    """The occupation a vacancy is for: its stated ESCO occupation, else the best link of its title."""
    if data.get("occupation_uri"):
        return str(data["occupation_uri"])
    for link in links:
        if link.get("kind") == "occupation" and link.get("field") == "title":
            return str(link["uri"])
    return next((str(link["uri"]) for link in links if link.get("kind") == "occupation"), None)


def _rows(engine: EngineDep, services: ServicesDep, lang: str) -> list[VacancyRow]:
    table = VacancyRecord.__table__  # type: ignore[attr-defined]
    columns = (table.c.id, table.c.language, table.c.status, table.c.employer_id, table.c.data, table.c.links)
    with engine.connect() as conn:
        found = conn.execute(select(*columns, table.c.flags, table.c.updated_at)).all()
    out = []
    for r in found:
        uri = occupation_uri(r.data, r.links)
        label = None
        if uri:
            try:
                label = services.taxonomy.label(uri, lang)
            except UnknownConcept:
                label = None
        out.append(
            VacancyRow(
                id=r.id, title=str(r.data.get("title") or ""), language=r.language, status=r.status,
                employer=r.employer_id, occupation=label.text if label else None,
                occupation_lang=label.lang if label else None, flags=len(r.flags or []), updated_at=r.updated_at,
            )
        )  # fmt: skip
    return out


def _matches(row: VacancyRow, words: list[str]) -> bool:
    haystack = normalize_label(" ".join(filter(None, (row.id, row.title, row.occupation, row.employer))))
    return all(w in haystack for w in words)


def _sort_key(name: str) -> Any:
    keys: dict[str, Any] = {
        "id": lambda r: r.id,
        "title": lambda r: normalize_label(r.title),
        "occupation": lambda r: normalize_label(r.occupation or "\uffff"),
        "employer": lambda r: (r.employer or "\uffff").casefold(),
        "updated": lambda r: r.updated_at,
        "flags": lambda r: r.flags,
    }
    return keys[name]


@router.get("")
def vacancies_page(
    request: Request,
    engine: EngineDep,
    services: ServicesDep,
    q: Annotated[str, Query(max_length=100)] = "",
    status: Annotated[str, Query(max_length=8)] = "open",
    language: Annotated[str, Query(max_length=2)] = "",
    flagged: Annotated[str, Query(max_length=1)] = "",
    sort: Annotated[str, Query(max_length=12)] = "id",
    desc: Annotated[str, Query(max_length=1)] = "",
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
    saved: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    """Vacancies to choose from: searched (id, title, occupation, employer), filtered, sorted, a page at a time."""
    lang = reader_language(request)
    status = status if status in STATUSES else "open"
    sort = sort if sort in SORTS else "id"
    rows = [r for r in _rows(engine, services, lang) if status == "all" or r.status == status]
    if language in LANGUAGES:
        rows = [r for r in rows if r.language == language]
    if flagged == "1":
        rows = [r for r in rows if r.flags]
    words = normalize_label(q).split()
    if words:
        rows = [r for r in rows if _matches(r, words)]
    rows.sort(key=_sort_key(sort), reverse=desc == "1" or (sort in ("updated", "flags") and desc != "0"))
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page_no = min(page_no, pages)
    form = {"q": q, "status": status, "language": language, "flagged": flagged, "sort": sort, "desc": desc}

    def link(**changes: Any) -> str:
        values = {k: v for k, v in (form | {"page": page_no} | changes).items() if v not in ("", None)}
        return f"/ui/vacancies?{urlencode(values)}"

    return page(
        request,
        "vacancies.html",
        vacancies=rows[(page_no - 1) * PAGE_SIZE : page_no * PAGE_SIZE],
        total=len(rows),
        page_no=page_no,
        pages=pages,
        form=form,
        link=link,
        sorts=SORTS,
        error=None,
        saved=saved,
    )


@router.post("")
def paste_vacancy(
    request: Request,
    service: IngestionDep,
    title: Annotated[str, Form(max_length=200)],
    language: Annotated[str, Form(pattern=f"^({'|'.join(LANGUAGES)})$")] = LANGUAGES[0],
    description: Annotated[str, Form(max_length=20_000)] = "",
    skills: Annotated[str, Form(max_length=5_000)] = "",
    postcode: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    """Store a pasted vacancy (linked to ESCO and screened like any other) and show its candidates; its place
    (the postcode) counts in the ranking from the start, the rest is on its edit page."""
    record = {
        "id": f"V-UI-{secrets.token_hex(4)}",
        "title": title,
        "language": language,
        "description": description or None,
        "required_skills": [line.strip() for line in skills.splitlines() if line.strip()],
        "postcode": _optional(postcode),
    }
    try:
        result = service.ingest_one(RecordKind.vacancy, record)
    except InvalidRecord as exc:
        return page(
            request, "vacancies.html", status=422, vacancies=[], total=0, page_no=1, pages=1, sorts=SORTS,
            form={"q": "", "status": "open", "language": "", "flagged": "", "sort": "id", "desc": ""},
            link=lambda **_: "/ui/vacancies", error=exc.errors, saved="",
        )  # fmt: skip
    return RedirectResponse(f"/ui/vacancies/{result.record_id}", status_code=303)


def _edit_page(request: Request, row: dict[str, Any], status: int = 200, errors: Any = None) -> Response:
    return page(
        request,
        "vacancy_edit.html",
        status=status,
        vacancy=row,
        data=row["data"],
        errors=errors or [],
        levels=[c.value for c in Cefr],
        contract_types=[c.value for c in ContractType],
        working_times=[w.value for w in WorkingTime],
        licences=[d.value for d in DrivingLicence],
    )


@router.get("/{vacancy_id}/edit")
def edit_form(request: Request, vacancy_id: VacancyId, engine: EngineDep) -> Response:
    """A vacancy's form: title, description, employer, place, contract, languages and licences asked."""
    return _edit_page(request, read_row(engine, "vacancy", vacancy_id))


def _optional(text: str) -> str | None:
    return text.strip() or None


@router.post("/{vacancy_id}/edit")
def save_vacancy(
    request: Request,
    vacancy_id: VacancyId,
    engine: EngineDep,
    service: IngestionDep,
    title: Annotated[str, Form(max_length=200)],
    description: Annotated[str, Form(max_length=20_000)] = "",
    employer_id: Annotated[str, Form(max_length=64)] = "",
    postcode: Annotated[str, Form(max_length=8)] = "",
    contract_type: Annotated[str, Form(max_length=20)] = "",
    working_time: Annotated[str, Form(max_length=20)] = "any",
    level_fr: Annotated[str, Form(max_length=2)] = "",
    level_nl: Annotated[str, Form(max_length=2)] = "",
    licences: Annotated[list[str] | None, Form(max_length=10)] = None,
    valid_until: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Store the changed vacancy through ingestion (linked and screened again); its skills are kept as they are."""
    row = read_row(engine, "vacancy", vacancy_id)
    data = copy.deepcopy(row["data"])
    data.update(
        title=title,
        description=_optional(description),
        employer_id=_optional(employer_id),
        postcode=_optional(postcode),
        contract={"type": _optional(contract_type), "working_time": working_time or "any"},
        language_requirements={k: v for k, v in (("fr", level_fr), ("nl", level_nl)) if v},
        driving_licences=list(licences or []),
        valid_until=_optional(valid_until),
    )
    try:
        service.ingest_one(RecordKind.vacancy, data)
    except InvalidRecord as exc:
        return _edit_page(request, row | {"data": data}, 422, exc.errors)
    return RedirectResponse(f"/ui/vacancies/{vacancy_id}?saved=edited", status_code=303)


@router.post("/{vacancy_id}/close")
def close_vacancy(vacancy_id: VacancyId, service: IngestionDep, engine: EngineDep) -> Response:
    """Close a vacancy: it leaves matching and stays stored (it can be opened again)."""
    replace_field(service, engine, RecordKind.vacancy, vacancy_id, status="closed")
    return RedirectResponse(f"/ui/vacancies?saved=closed&q={vacancy_id}&status=all", status_code=303)


@router.post("/{vacancy_id}/reopen")
def reopen_vacancy(vacancy_id: VacancyId, service: IngestionDep, engine: EngineDep) -> Response:
    """Open a closed vacancy again: it is matched again."""
    replace_field(service, engine, RecordKind.vacancy, vacancy_id, status="open")
    return RedirectResponse(f"/ui/vacancies/{vacancy_id}?saved=reopened", status_code=303)
