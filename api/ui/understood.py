"""What the engine understood from a vacancy or a dossier, as the pages show it, and the one-click corrections.

Shown (``understood``): for each title, the occupations proposed (up to five distinct concepts, best first, with
their confidence and the label whose words chose each; a learned link says "confirmed by a consultant on DATE")
and the one stated, with who confirmed it and when; the skills the profile holds with their kind: stated (coded
or confirmed), extracted (with the words of the text they were read from) or likely from an occupation (shown as
inferred, never as held); the language levels, stated and read from the text; the postcode and the licences.
It reads the stored record (its links and corrections) and its stored profile: what matching uses.

Corrected (``correct``): one form field ``action`` names what a person does (confirm or choose an occupation,
add or confirm a skill, remove a skill, set a language level); the work is the correction service's
(``ingestion.corrections``) and the audit row is completed as the API's correction routes complete it
(``api.routes.corrections_common.answer``), so the pages and the API share one rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from api.audit import AuditEntry
from api.auth.roles import Principal
from api.routes.corrections_common import answer, teaches
from ingestion.corrections import CEFR_LEVELS, CorrectionAction, CorrectionService
from ingestion.models import RecordKind
from ingestion.validation import InvalidRecord
from matching.errors import UnknownProfile
from matching.profiles import Origin, Profile, ProfileKind, ProfileStore, Role

MAX_PROPOSALS = 5
"""Distinct occupations shown per title."""
LEVELS = CEFR_LEVELS


@dataclass(frozen=True)
class Proposal:
    """One occupation proposed for a title."""

    uri: str
    confidence: float | None
    words: str | None
    """The label whose words chose it."""
    confirmed_on: str | None = None
    """A consultant confirmed it for the same title (a learned link), on this day (ISO)."""


@dataclass
class TitleSeen:
    """A title of the record and the occupation it stands for."""

    item: str
    """``title`` (a vacancy), ``experiences[i]`` or ``desired_occupations[i]`` (a dossier)."""
    text: str
    chosen: str | None
    """The stated occupation (given or confirmed), if any."""
    confirmed: dict[str, Any] | None
    """The correction that stated it: ``actor``, ``role``, ``created_at``."""
    proposals: list[Proposal] = field(default_factory=list)


@dataclass(frozen=True)
class SkillSeen:
    """A skill of the profile, with its kind."""

    uri: str
    kind: str
    """``stated`` (coded or confirmed by a person), ``extracted`` (read from the text) or ``inferred`` (likely
    from an occupation; never said to be held)."""
    required: bool | None
    """For a vacancy: required or nice to have."""
    text: str | None
    """The record's words it was read from (extracted)."""
    from_occupation: str | None
    """The occupation it is inferred from."""


@dataclass(frozen=True)
class LanguageSeen:
    """A language level: stated, or read from the text (with its words)."""

    lang: str
    level: str
    read: str | None
    """The words it was read from (None: stated in the record)."""
    optional: bool = False


@dataclass
class Understood:
    """What the engine understood from one record."""

    kind: str
    titles: list[TitleSeen]
    skills: list[SkillSeen]
    languages: list[LanguageSeen]
    postcode: str | None
    licences: list[str]
    corrections: list[dict[str, Any]]


def _titles(
    kind: RecordKind, data: dict[str, Any], links: list[dict[str, Any]], history: list[dict[str, Any]]
) -> list[TitleSeen]:
    if kind is RecordKind.vacancy:
        raw = [("title", "title", str(data.get("title") or ""), data.get("occupation_uri"))]
    else:
        raw = []
        for name in ("experiences", "desired_occupations"):
            for i, item in enumerate(data.get(name) or []):
                item = item if isinstance(item, dict) else {"title": item}
                raw.append(
                    (f"{name}[{i}]", f"{name}[{i}].title", str(item.get("title") or ""), item.get("occupation_uri"))
                )
    out = []
    for item, title_field, text, chosen in raw:
        target = "occupation_uri" if item == "title" else f"{item}.occupation_uri"
        done = [
            c
            for c in history
            if c["action"] == CorrectionAction.occupation and c["field"] == target and not c.get("undone_at")
        ]
        confirmed = done[-1] if done and chosen and done[-1].get("chosen") == chosen else None
        proposals: dict[str, Proposal] = {}
        for link in links:
            if link.get("kind") == "proposals" and link.get("field") == title_field:
                for p in link.get("proposals") or []:
                    if p.get("uri") and p["uri"] not in proposals:
                        proposals[p["uri"]] = Proposal(
                            p["uri"], p.get("confidence"), p.get("label"), p.get("confirmed_on")
                        )
        if not proposals and confirmed is not None:  # a stated title is not linked again: show what was proposed
            for uri in confirmed.get("proposed") or []:
                if isinstance(uri, str):
                    proposals.setdefault(uri, Proposal(uri, None, None))
        out.append(
            TitleSeen(
                item=item, text=text, chosen=chosen,
                confirmed={k: confirmed[k] for k in ("actor", "role", "created_at")} if confirmed else None,
                proposals=list(proposals.values())[:MAX_PROPOSALS],
            )
        )  # fmt: skip
    return out


def _skills(profile: Profile | None, is_vacancy: bool) -> list[SkillSeen]:
    if profile is None:
        return []
    order = {Origin.confirmed: 0, Origin.extracted: 1, Origin.inferred: 2}
    out = []
    for c in sorted(profile.skills, key=lambda c: (order[c.origin], c.role is not Role.required, -c.confidence)):
        kind = {Origin.confirmed: "stated", Origin.extracted: "extracted", Origin.inferred: "inferred"}[c.origin]
        out.append(
            SkillSeen(
                uri=c.uri,
                kind=kind,
                required=(c.role is Role.required) if is_vacancy and c.origin is not Origin.inferred else None,
                text=c.source if c.origin is Origin.extracted else None,
                from_occupation=c.source if c.origin is Origin.inferred else None,
            )
        )
    return out


def _languages(kind: RecordKind, data: dict[str, Any], links: list[dict[str, Any]]) -> list[LanguageSeen]:
    stated = data.get("languages" if kind is RecordKind.jobseeker else "language_requirements") or {}
    out = [LanguageSeen(str(code), str(level), None) for code, level in sorted(stated.items())]
    for link in links:
        if link.get("kind") == "language" and link.get("lang") not in stated:
            out.append(
                LanguageSeen(
                    str(link["lang"]), str(link["level"]), str(link.get("text") or ""), bool(link.get("optional"))
                )
            )
    return out


def understood(
    kind: RecordKind, row: dict[str, Any], store: ProfileStore | None, corrections: CorrectionService
) -> Understood:
    """What the engine understood from a stored record (see the module's docstring).

    Args:
        kind: the record's kind.
        row: the stored row (``data``, ``links``), as ``read_row`` gives it.
        store: the profile store (the profile's skills and their kinds).
        corrections: the correction service (the record's corrections).
    """
    data, links = row["data"], list(row.get("links") or [])
    history = corrections.history(kind, row["id"])
    profile_kind = ProfileKind.vacancy if kind is RecordKind.vacancy else ProfileKind.jobseeker
    try:
        profile = store.get(profile_kind, row["id"]) if store is not None else None
    except UnknownProfile:  # a record without a stored profile shows no skills
        profile = None
    return Understood(
        kind=kind.value,
        titles=_titles(kind, data, links, history),
        skills=_skills(profile, kind is RecordKind.vacancy),
        languages=_languages(kind, data, links),
        postcode=data.get("postcode"),
        licences=[str(x) for x in data.get("driving_licences") or []],
        corrections=history,
    )


def correct(
    kind: RecordKind,
    record_id: str,
    form: dict[str, str],
    corrections: CorrectionService,
    principal: Principal,
    trail: AuditEntry,
) -> str:
    """Apply one correction from a page's form; returns what the page says after it (a key of its words).

    Args:
        kind: the record's kind.
        record_id: its id.
        form: ``action`` and its fields: ``uri`` (a concept), ``item`` (a dossier's title), ``text`` (the words
            an extracted skill was read from), ``required`` ("1": a vacancy's requirement), ``lang`` and
            ``level`` (an empty level removes it).
        corrections: the correction service.
        principal: who.
        trail: the route's audit row, completed here.

    Raises:
        UnknownProfile: no such record.
    """
    action, uri = form.get("action", ""), form.get("uri", "").strip()
    who = {"actor": principal.subject, "role": principal.role.value}
    try:
        if action == CorrectionAction.occupation and uri:
            item = form.get("item") or None
            done = corrections.set_occupation(kind, record_id, uri, teach=teaches(principal), item=item, **who)
        elif action == CorrectionAction.add_skill and uri:
            text = form.get("text", "").strip() or None
            required = form.get("required", "1") == "1"
            done = corrections.add_skill(
                kind, record_id, uri, teach=teaches(principal), text=text, required=required, **who
            )
        elif action == CorrectionAction.remove_skill and uri:
            done = corrections.remove_skill(kind, record_id, uri, teach=teaches(principal), **who)
        elif action == CorrectionAction.language and form.get("lang", "").strip():
            level = form.get("level", "").strip() or None
            done = corrections.set_language(kind, record_id, form["lang"], level, **who)
        else:
            trail.skipped = True
            return "correction_empty"
    except InvalidRecord:
        trail.skipped = True
        return "correction_invalid"
    answer(done, corrections, principal, trail)
    if done.status != "updated":
        return "correction_unchanged"
    return f"corrected_{action}" + ("_taught" if done.learned else "")


__all__ = ["LEVELS", "MAX_PROPOSALS", "Understood", "correct", "understood"]
