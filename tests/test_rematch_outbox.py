"""After a rematch: notifications for opted-in jobseekers and vacancies' consultants, sent by e-mail to a local
SMTP server; the API's latest run and the matches new since the last run, explained."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.audit import AuditLog
from api.main import create_app
from esco_data import load_esco
from ingestion.schemas import JobseekerIn, VacancyIn
from matching.rematch import RematchRepository
from services.mailer import SmtpConfig
from services.outbox import build_outbox, outbox, send_pending
from skillmatch.db import make_engine
from skillmatch.rematch import rematch
from skillmatch.runtime import Runtime
from skillmatch.settings import Settings
from tests import factories
from tests.auth import bearer, make_tokens


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on loopback."""
    from aiosmtpd.controller import Controller

    inbox, port = Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def service(slice_runtime: Runtime, esco_slice_dir: Path, tmp_path: Path) -> Iterator[tuple[Runtime, Settings]]:
    """A runtime with a database of its own, and rematch settings that point at it."""
    db = make_engine(f"sqlite:///{tmp_path / 'service.db'}")
    load_esco(db, esco_slice_dir)
    settings = Settings(
        data_dir=tmp_path / "data", database_url=str(db.url), index_dir=tmp_path / "indexes", rematch_top=5
    )
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "concept_space").symlink_to(slice_runtime.settings.data_dir / "concept_space")
    runtime = Runtime.open(slice_runtime.settings, db=db, index_dir=tmp_path / "indexes")
    yield runtime, settings
    db.dispose()


def test_new_matches_are_told_by_email_and_read_through_the_api(
    service: tuple[Runtime, Settings], smtp: tuple[Inbox, int]
) -> None:
    runtime, settings = service
    inbox, port = smtp
    ingest = runtime.ingestion
    ingest.store_one(JobseekerIn(**factories.jobseeker(notify_new_matches=True)))
    ingest.store_one(
        JobseekerIn(
            **factories.jobseeker(id="J-BAKER-2", contact={"email": "other@example.be"}, preferred_language="nl")
        )
    )
    ingest.store_one(VacancyIn(**factories.vacancy(consultant_email="consultant@pes.example.be")))
    first = rematch(settings, workers=1, send=False)
    assert first.outcome.run.mode == "full"
    assert first.notifications == 0  # the first run sets the baseline
    ingest.store_one(
        VacancyIn(**factories.vacancy(id="V-BAKKER-2", title="Bakker", consultant_email="consultant@pes.example.be"))
    )
    second = rematch(settings, workers=1, send=False)
    assert second.outcome.run.mode == "incremental"
    assert second.outcome.run.counts["diff"]["new"] >= 3
    notes = outbox(runtime.db, run_id=second.outcome.run.id)
    by_subject = {(n["kind"], n["subject_id"]): n for n in notes}
    assert set(by_subject) == {("jobseeker_matches", "J-BAKER-FR"), ("vacancy_candidates", "V-BAKKER-2")}
    seeker = by_subject[("jobseeker_matches", "J-BAKER-FR")]
    assert seeker["recipient"] == "marie.dubois@example.be"
    assert [m["id"] for m in seeker["matches"]] == ["V-BAKKER-2"]
    assert "Bakker [V-BAKKER-2]" in seeker["body"] and seeker["subject"] == "1 nouvelle(s) offre(s) pour vous"
    consultant = by_subject[("vacancy_candidates", "V-BAKKER-2")]
    assert {m["id"] for m in consultant["matches"]} == {"J-BAKER-FR", "J-BAKER-2"}
    assert "Marie" not in consultant["body"]
    assert build_outbox(runtime.db, RematchRepository(runtime.db), second.outcome.run) == 0  # written once

    report = send_pending(runtime.db, SmtpConfig(host="127.0.0.1", port=port, sender="matching@pes.example.be"))
    assert (report.sent, report.failed, report.pending) == (2, 0, 0)
    received = {tuple(rcpt): message for rcpt, message in inbox.messages}
    assert set(received) == {("marie.dubois@example.be",), ("consultant@pes.example.be",)}
    assert received[("consultant@pes.example.be",)]["Subject"] == "2 nieuwe kandida(a)t(en) voor vacature V-BAKKER-2"
    assert received[("marie.dubois@example.be",)]["From"] == "matching@pes.example.be"
    assert send_pending(runtime.db, SmtpConfig(host="127.0.0.1", port=port)).sent == 0  # nothing sent twice

    consultant = bearer(make_tokens(runtime.db).consultant)
    with TestClient(create_app(db=runtime.db, services=runtime), headers=consultant) as client:
        latest = client.get("/rematch/runs/latest")
        assert latest.status_code == 200
        assert latest.json()["id"] == second.outcome.run.id and latest.json()["status"] == "succeeded"
        new = client.get("/rematch/jobseekers/J-BAKER-FR/new", params={"lang": "fr"}).json()
        assert new["since_run"] == first.outcome.run.id
        assert [m["id"] for m in new["matches"]] == ["V-BAKKER-2"]
        explanation = new["matches"][0]["explanation"]
        assert explanation["lang"] == "fr" and explanation["matched"], explanation
        candidates = client.get("/rematch/vacancies/V-BAKKER-2/new").json()
        assert {m["id"] for m in candidates["matches"]} == {"J-BAKER-FR", "J-BAKER-2"}
        assert set(candidates["matches"][0]["components"]) == {
            "cosine", "essential", "optional", "occupation", "language", "location"
        }  # fmt: skip
        assert client.get("/rematch/vacancies/V-BAKKER-NL/new").json()["matches"] == []
        missing = client.get("/rematch/jobseekers/NOBODY/new")
        assert missing.status_code == 404 and missing.json()["code"] == "not-found"
    # Each list read is an audit row (the refused one is not), with the ids it returned.
    read = [(e.action, e.target, sorted(e.result_ids)) for e in AuditLog(runtime.db).search()]
    assert read == [
        ("candidate_search", "V-BAKKER-NL", []),
        ("candidate_search", "V-BAKKER-2", ["J-BAKER-2", "J-BAKER-FR"]),
        ("suggestion_list", "J-BAKER-FR", ["V-BAKKER-2"]),
    ]


def test_failed_sends_are_kept_with_the_reason(service: tuple[Runtime, Settings]) -> None:
    runtime, settings = service
    runtime.ingestion.store_one(JobseekerIn(**factories.jobseeker(notify_new_matches=True)))
    rematch(settings, workers=1, send=False)
    runtime.ingestion.store_one(VacancyIn(**factories.vacancy(id="V-2")))
    rematch(settings, workers=1, send=False)
    with pytest.raises(OSError):
        send_pending(runtime.db, SmtpConfig(host="127.0.0.1", port=_free_port(), timeout=2))
    assert [n["status"] for n in outbox(runtime.db)] == ["pending"]
