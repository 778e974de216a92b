"""The outbox of notifications after a rematch run: new matches for jobseekers who opted in, new candidates for
a vacancy's consultant, sent by e-mail.

A run's notifications are written once (with a marker row, in one transaction), so building the outbox again
adds nothing; sending takes the pending ones, marks each sent or failed with the reason, and tries a failed one
again next time (up to ``MAX_ATTEMPTS``). The first run of a database sets the baseline: everything in it is
new, and nothing is sent for it.

E-mails name vacancies by title and candidates by id only (consultants open the dossier in the service); they
never carry a protected attribute.
"""

from __future__ import annotations

import logging
import smtplib
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint, insert, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Field, SQLModel

from esco_data import DEFAULT_LANGUAGE
from ingestion.models import JobseekerRecord, VacancyRecord
from matching.profiles import ProfileKind
from matching.rematch.repository import NewMatch, RematchRepository, RunInfo
from services.mailer import Mailer, SmtpConfig

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


class Notification(SQLModel, table=True):
    """One e-mail to send: new matches of one jobseeker, or new candidates of one vacancy."""

    __tablename__ = "notification"
    __table_args__ = (UniqueConstraint("run_id", "kind", "subject_id", name="uq_notification_run_subject"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(index=True)
    kind: str = Field(max_length=32)
    """``jobseeker_matches`` or ``vacancy_candidates``."""
    subject_id: str = Field(max_length=64)
    recipient: str = Field(max_length=200)
    lang: str = Field(max_length=2)
    subject: str = Field(max_length=300)
    body: str = Field(sa_column=Column(Text, nullable=False))
    matches: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="pending", max_length=16, index=True)
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime
    sent_at: datetime | None = None


class NotificationBatch(SQLModel, table=True):
    """Marks the outbox of a run as built (how many notifications it holds)."""

    __tablename__ = "notification_batch"

    run_id: int = Field(primary_key=True)
    notifications: int
    created_at: datetime


OUTBOX_TABLES = [Notification.__table__, NotificationBatch.__table__]  # type: ignore[attr-defined]


def create_tables(engine: Engine) -> None:
    """Create the outbox tables that do not exist yet."""
    SQLModel.metadata.create_all(engine, tables=OUTBOX_TABLES)


_TEXT = {
    "fr": {
        "jobseeker_subject": "{n} nouvelle(s) offre(s) pour vous",
        "jobseeker_intro": "Bonjour,\n\nDepuis la dernière recherche, ces offres correspondent à votre profil :\n",
        "vacancy_subject": "{n} nouveau(x) candidat(s) pour l'offre {id}",
        "vacancy_intro": "Bonjour,\n\nDepuis la dernière recherche, ces candidats correspondent à l'offre {id} :\n",
        "line": "- {label} (score {score:.2f})",
        "outro": "\nVous recevez ce message parce que vous l'avez demandé au service emploi.\n",
    },
    "nl": {
        "jobseeker_subject": "{n} nieuwe vacature(s) voor u",
        "jobseeker_intro": "Goedendag,\n\nSinds de vorige zoekopdracht passen deze vacatures bij uw profiel:\n",
        "vacancy_subject": "{n} nieuwe kandida(a)t(en) voor vacature {id}",
        "vacancy_intro": "Goedendag,\n\nSinds de vorige zoekopdracht passen deze kandidaten bij vacature {id}:\n",
        "line": "- {label} (score {score:.2f})",
        "outro": "\nU ontvangt dit bericht omdat u dat aan de arbeidsbemiddeling hebt gevraagd.\n",
    },
}


@dataclass
class SendReport:
    """What one sending pass did."""

    sent: int = 0
    failed: int = 0
    pending: int = 0


def _records(engine: Engine, model: Any, ids: set[str]) -> dict[str, dict[str, Any]]:
    table = model.__table__
    out: dict[str, dict[str, Any]] = {}
    ordered = sorted(ids)
    with engine.connect() as conn:
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            for rid, data in conn.execute(select(table.c.id, table.c.data).where(table.c.id.in_(chunk))):
                out[str(rid)] = dict(data)
    return out


def _message(
    kind: str, lang: str, subject_id: str, lines: list[tuple[str, float]], default_language: str
) -> tuple[str, str]:
    text = _TEXT.get(lang, _TEXT[default_language])
    prefix = "jobseeker" if kind == "jobseeker_matches" else "vacancy"
    subject = text[f"{prefix}_subject"].format(n=len(lines), id=subject_id)
    body = (
        text[f"{prefix}_intro"].format(id=subject_id)
        + "\n".join(text["line"].format(label=label, score=score) for label, score in lines)
        + "\n"
        + text["outro"]
    )
    return subject, body


def build_outbox(
    engine: Engine, repository: RematchRepository, run: RunInfo, *, default_language: str = DEFAULT_LANGUAGE
) -> int:
    """Write the notifications of a successful run (once; again it adds nothing).

    Args:
        engine: the database (records and outbox).
        repository: the rematch tables.
        run: a successful run.

    Returns:
        Notifications written now.
    """
    batches = NotificationBatch.__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        if conn.execute(select(batches.c.run_id).where(batches.c.run_id == run.id)).first() is not None:
            return 0
    earlier = [r for r in repository.runs(limit=1000) if r.status == "succeeded" and r.id < run.id]
    rows: list[dict[str, Any]] = []
    if earlier:
        rows = _notifications(engine, repository.new_matches(run.id), run.id, default_language)
    with engine.begin() as conn:
        if conn.execute(select(batches.c.run_id).where(batches.c.run_id == run.id)).first() is not None:
            return 0
        if rows:
            conn.execute(insert(Notification.__table__), rows)  # type: ignore[attr-defined]
        conn.execute(insert(batches).values(run_id=run.id, notifications=len(rows), created_at=datetime.now(UTC)))
    return len(rows)


def _notifications(engine: Engine, new: list[NewMatch], run_id: int, default_language: str) -> list[dict[str, Any]]:
    by_list: dict[tuple[ProfileKind, str], list[NewMatch]] = defaultdict(list)
    for match in new:
        by_list[(match.query_kind, match.query_id)].append(match)
    jobseeker_ids = {q for k, q in by_list if k is ProfileKind.jobseeker}
    vacancy_ids = {q for k, q in by_list if k is ProfileKind.vacancy}
    vacancy_ids |= {m.match_id for (k, _), ms in by_list.items() if k is ProfileKind.jobseeker for m in ms}
    jobseekers = _records(engine, JobseekerRecord, jobseeker_ids)
    vacancies = _records(engine, VacancyRecord, vacancy_ids)
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    for (kind, qid), matches in sorted(by_list.items()):
        if kind is ProfileKind.jobseeker:
            record = jobseekers.get(qid)
            email = ((record or {}).get("contact") or {}).get("email")
            if record is None or not record.get("notify_new_matches") or not email:
                continue
            lang = record.get("preferred_language") or default_language
            lines = [
                (f"{(vacancies.get(m.match_id) or {}).get('title', m.match_id)} [{m.match_id}]", m.score)
                for m in matches
            ]
            note_kind = "jobseeker_matches"
        else:
            record = vacancies.get(qid)
            email = (record or {}).get("consultant_email")
            if record is None or not email:
                continue
            lang = record.get("language") or default_language
            lines = [(m.match_id, m.score) for m in matches]
            note_kind = "vacancy_candidates"
        subject, body = _message(note_kind, lang, qid, lines, default_language)
        rows.append(
            {
                "run_id": run_id,
                "kind": note_kind,
                "subject_id": qid,
                "recipient": email,
                "lang": lang,
                "subject": subject,
                "body": body,
                "matches": [{"id": m.match_id, "score": m.score} for m in matches],
                "status": "pending",
                "attempts": 0,
                "created_at": now,
            }
        )
    return rows


def send_pending(engine: Engine, config: SmtpConfig, *, limit: int = 10_000) -> SendReport:
    """Send the pending notifications (and those that failed fewer than ``MAX_ATTEMPTS`` times).

    Each is marked sent or failed in its own transaction, right after the server answered.

    Args:
        engine: the database.
        config: the SMTP server.
        limit: most messages in this pass.

    Returns:
        How many were sent, failed, and are still pending.
    """
    table = Notification.__table__  # type: ignore[attr-defined]
    due = (table.c.status == "pending") | ((table.c.status == "failed") & (table.c.attempts < MAX_ATTEMPTS))
    with engine.connect() as conn:
        rows = conn.execute(
            select(table.c.id, table.c.recipient, table.c.subject, table.c.body, table.c.attempts)
            .where(due)
            .order_by(table.c.id)
            .limit(limit)
        ).all()
    report = SendReport()
    if not rows:
        return report
    with Mailer(config) as mailer:
        for nid, recipient, subject, body, attempts in rows:
            try:
                mailer.send(recipient, subject, body)
            except (smtplib.SMTPException, OSError) as exc:
                log.warning("notification %s not sent: %s", nid, type(exc).__name__)
                values: dict[str, Any] = {"status": "failed", "attempts": attempts + 1, "last_error": str(exc)[:500]}
                report.failed += 1
            else:
                values = {"status": "sent", "attempts": attempts + 1, "sent_at": datetime.now(UTC), "last_error": None}
                report.sent += 1
            with engine.begin() as conn:
                conn.execute(update(table).where(table.c.id == nid).values(**values))
    with engine.connect() as conn:
        report.pending = len(conn.execute(select(table.c.id).where(due)).all())
    return report


def outbox(engine: Engine, *, run_id: int | None = None) -> list[dict[str, Any]]:
    """The notifications (of one run, when given), oldest first."""
    table = Notification.__table__  # type: ignore[attr-defined]
    query = select(table).order_by(table.c.id)
    if run_id is not None:
        query = query.where(table.c.run_id == run_id)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


__all__ = [
    "MAX_ATTEMPTS",
    "Notification",
    "NotificationBatch",
    "SendReport",
    "build_outbox",
    "create_tables",
    "outbox",
    "send_pending",
]
