"""Ingestion over a real (slice) ESCO database: bad lines go to the quarantine with their field and reason, good
ones are stored and profiled with their provenance, and running a batch again changes nothing."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine

from api.ui.admin import quarantine_reason
from api.ui.i18n import translator
from ingestion.adapters import RecordFormat
from ingestion.minimise import mask_error
from ingestion.models import JobseekerRecord, RecordKind, VacancyRecord
from ingestion.quarantine import export_quarantine
from ingestion.readers import read_csv, read_jsonl
from ingestion.schemas import JobseekerIn
from ingestion.service import IngestionService
from ingestion.validation import FieldError, InvalidRecord
from matching.profiles import Origin, Profile, ProfileConcept, ProfileKind, Role
from skillmatch.runtime import Runtime
from tests.esco_uris import BAKE_GOODS, BAKER, KNEAD_FOOD, OCC, OPERATE_WEIGHING_MACHINE, SKILL
from tests.factories import SOURDOUGH, jobseeker, jsonl, vacancy, without

PREPARE_BAKERY_PRODUCTS = SKILL + "50db2b5e-edda-496d-8a6e-aff91dc243d9"  # SOURDOUGH links to its label "faire du pain"
UNKNOWN_SKILL = SKILL + "00000000-0000-0000-0000-000000000000"  # well-formed, not in ESCO
UNKNOWN_OCCUPATION = OCC + "00000000-0000-0000-0000-000000000000"
CEFR_D1 = "CEFR level must be one of A1, A2, B1, B2, C1, C2, not 'D1'"
INVALID_JSON = '{"id": "J007", "languages": {"fr": "C1",}}'

# Line number -> (the bad line, record id, every (field, reason) in the order reported). Line 48 has two
# problems (an oversized field and a wrong type), so five bad lines show six kinds of error.
BAD_LINES: dict[int, tuple[str, str | None, list[tuple[str, str]]]] = {
    7: (
        INVALID_JSON,
        None,
        [("(record)", "invalid JSON: Expecting property name enclosed in double quotes at column 41")],
    ),
    23: (json.dumps(without(jobseeker(), "id")), None, [("id", "this field is required")]),
    48: (
        json.dumps(jobseeker(id="J048", education_level="high", experiences=[{"title": "B" * 201}])),
        "J048",
        [
            ("experiences[0].title", "String should have at most 200 characters"),
            ("education_level", "Input should be a valid integer, unable to parse string as an integer"),
        ],
    ),
    71: (
        json.dumps(jobseeker(id="J071", skills=[UNKNOWN_SKILL, BAKE_GOODS])),
        "J071",
        [("skills[0].uri", f"unknown ESCO skill: {UNKNOWN_SKILL}")],
    ),
    96: (json.dumps(jobseeker(id="J096", languages={"fr": "D1"})), "J096", [("languages.fr", CEFR_D1)]),
}
POSTCODES = ("1000", "1030", "1050", "1180", "9000")
TITLES = ("Boulanger", "Pâtissier", "Boulanger-pâtissier")


def batch_text() -> str:
    """100 jobseeker lines, 5 of them bad (see BAD_LINES)."""
    lines = []
    for number in range(1, 101):
        if number in BAD_LINES:
            lines.append(BAD_LINES[number][0])
        else:
            record = jobseeker(
                id=f"J{number:03d}",
                postcode=POSTCODES[number % 5],
                experiences=[{"title": TITLES[number % 3], "years": number % 20}],
            )
            lines.append(json.dumps(record, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def counts(engine: Engine) -> dict[str, int]:
    """Rows per table."""
    with engine.connect() as conn:
        return {
            table: int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in ("jobseeker", "vacancy", "quarantine", "profile")
        }


def without_seconds(summary: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in summary.items() if key != "seconds"}


def stored(engine: Engine, model: Any, record_id: str) -> dict[str, Any]:
    """A stored record row as a dict."""
    table = model.__table__
    with engine.connect() as conn:
        row = conn.execute(select(table).where(table.c.id == record_id)).one()
    return dict(row._mapping)


@pytest.fixture
def service(fresh_runtime: Runtime) -> IngestionService:
    return fresh_runtime.ingestion


def profile(service: IngestionService, kind: ProfileKind, record_id: str) -> Profile:
    return service.writer.store.get(kind, record_id)


def concept(concepts: list[ProfileConcept], uri: str) -> ProfileConcept:
    [found] = [c for c in concepts if c.uri == uri]
    return found


# -- a batch with bad lines ----------------------------------------------------------------------------------


def test_batch_accepts_every_good_line_and_quarantines_exactly_the_bad_ones(service: IngestionService) -> None:
    batch = batch_text()
    summary = service.ingest(RecordKind.jobseeker, read_jsonl(batch), source="dossiers.jsonl")
    assert without_seconds(summary.as_dict()) == {
        "accepted": 95,
        "updated": 0,
        "unchanged": 0,
        "quarantined": 5,
        "already_quarantined": 0,
        "warnings": [],
    }
    assert summary.total == 100
    assert counts(service.repository.engine) == {"jobseeker": 95, "vacancy": 0, "quarantine": 5, "profile": 95}
    rows = export_quarantine(service.repository.engine)
    said = [[(e["field"], e["reason"]) for e in r["errors"]] for r in rows]
    assert [(r["line"], r["record_id"], r["field"], r["reason"], e) for r, e in zip(rows, said, strict=True)] == [
        (line, record_id, errors[0][0], errors[0][1], errors) for line, (_, record_id, errors) in BAD_LINES.items()
    ]
    assert {r["kind"] for r in rows} == {"jobseeker"}
    assert {r["source"] for r in rows} == {"dossiers.jsonl"}
    assert all(r["resolved_at"] is None for r in rows)
    with service.repository.engine.connect() as conn:
        ids = set(conn.execute(text("SELECT id FROM jobseeker")).scalars())
    good = {f"J{n:03d}" for n in range(1, 101) if n not in BAD_LINES}
    assert ids == good


MORE_BAD_VACANCIES = [
    vacancy(id="V-DATE", valid_until=20261231),
    vacancy(id="V-BOOL", openings=True),
    vacancy(id="V-BLANK", title="\u200b\u200b"),
    vacancy(id="V-HOURS", hours_per_week=90),
    vacancy(id="V-ITEM", required_skills=[{"source": "cv"}]),
    vacancy(id="V-OCC", occupation_uri=UNKNOWN_OCCUPATION),
    vacancy(id="V-LANG", language_requirements={"nl": "B3"}),
    vacancy(id="V-MAIL", consultant_email="desk.ebo.example.be"),
]
"""Vacancies refused for other kinds of problem than ``BAD_LINES``."""


def test_every_quarantine_reason_is_worded_in_french_and_dutch(service: IngestionService) -> None:
    # What an administrator reads on the quarantine page: the reason in the page's language, from the kind of
    # problem stored with the row, never the validation's English.
    bad_lines = "".join(line + "\n" for line, _, _ in BAD_LINES.values())  # the bad lines alone: nothing to link
    service.ingest(RecordKind.jobseeker, read_jsonl(bad_lines), source="dossiers.jsonl")
    service.ingest(RecordKind.vacancy, read_jsonl(jsonl(MORE_BAD_VACANCIES)), source="offres.jsonl")
    rows = export_quarantine(service.repository.engine)
    assert len(rows) == len(BAD_LINES) + len(MORE_BAD_VACANCIES)
    codes = {r["errors"][0]["code"] for r in rows}
    assert {"unreadable", "missing", "string_too_long", "unknown_esco_skill", "cefr_level", "date_text"} <= codes
    english = re.compile(r"\b(?:should|must|expected|field|required|unknown|needs|invalid|empty|not)\b")
    for lang in ("fr", "nl"):
        words = translator(lang)
        for row in rows:
            said = quarantine_reason(row, words)
            assert said is not None, (lang, row["errors"][0])
            assert not english.search(said) and "{" not in said, (lang, said)
    unknown = next(r for r in rows if r["errors"][0]["code"] == "unknown_esco_skill")
    assert quarantine_reason(unknown, translator("nl")) == f"onbekende ESCO-vaardigheid: {UNKNOWN_SKILL}"
    cefr = next(r for r in rows if r["record_id"] == "J096")
    hours = next(r for r in rows if r["record_id"] == "V-HOURS")  # a bound written as the reader writes numbers
    assert quarantine_reason(hours, translator("nl")) == "de waarde mag hoogstens 60 zijn"
    said = "niveau du CECR attendu parmi A1, A2, B1, B2, C1, C2, et non 'D1'"
    assert quarantine_reason(cefr, translator("fr")) == said
    # A contact detail of the wrong form is refused without its value being shown, in any language.
    mail = next(r for r in rows if r["record_id"] == "V-MAIL")
    assert "desk.ebo" not in json.dumps(mail, default=str)
    assert quarantine_reason(mail, translator("nl")) == (
        "het contactgegeven heeft niet de verwachte vorm (de waarde wordt niet getoond)"
    )
    # A row stored before kinds were, or of a kind without wording: the English reason is shown (marked so).
    assert quarantine_reason({"reason": "x", "errors": [{"field": "id", "reason": "x"}]}, translator("fr")) is None
    assert quarantine_reason({"errors": [{"code": "a_new_kind", "params": {}}]}, translator("nl")) is None


def test_a_contact_value_in_a_reason_stored_before_it_was_left_out_is_masked_on_export() -> None:
    stored = {
        "field": "contact.phone",
        "reason": "String should match pattern '^[+0-9 ()./-]{6,40}$' (found '0470 12 34 5x')",
        "code": "string_pattern_mismatch",
        "params": {"found": "0470 12 34 5x"},
    }
    assert mask_error(stored) == {
        "field": "contact.phone",
        "reason": "String should match pattern '^[+0-9 ()./-]{6,40}$' (the value found is not shown: contact details)",
        "code": "contact_pattern_mismatch",
        "params": {},
    }
    postcode = stored | {"field": "location.postcode", "reason": "String should match pattern 'x' (found '10000')"}
    assert mask_error(postcode) == postcode  # not a contact detail: the value helps to fix the record


def test_quarantine_export_returns_the_original_line(service: IngestionService) -> None:
    """The original line, contact details masked (protected attributes never reach the quarantine:
    tests/test_privacy.py)."""
    lines = batch_text().splitlines()
    service.ingest(RecordKind.jobseeker, read_jsonl(batch_text()))
    rows = export_quarantine(service.repository.engine, kind="jobseeker")
    assert rows[0]["raw"] == INVALID_JSON
    for row, number in zip(rows[1:], list(BAD_LINES)[1:], strict=True):
        original = json.loads(lines[number - 1])
        assert json.loads(row["raw"]) == original | ({"contact": "(removed)"} if "contact" in original else {})
    assert export_quarantine(service.repository.engine, kind="vacancy") == []
    assert [r["line"] for r in export_quarantine(service.repository.engine, limit=2)] == [7, 23]


def test_second_run_of_the_same_file_changes_nothing(service: IngestionService) -> None:
    service.ingest(RecordKind.jobseeker, read_jsonl(batch_text()))
    with service.repository.engine.connect() as conn:
        before = conn.execute(text("SELECT max(updated_at) FROM profile")).scalar_one()
    again = service.ingest(RecordKind.jobseeker, read_jsonl(batch_text()))
    assert without_seconds(again.as_dict()) == {
        "accepted": 0,
        "updated": 0,
        "unchanged": 95,
        "quarantined": 0,
        "already_quarantined": 5,
        "warnings": [],
    }
    assert counts(service.repository.engine) == {"jobseeker": 95, "vacancy": 0, "quarantine": 5, "profile": 95}
    with service.repository.engine.connect() as conn:
        assert conn.execute(text("SELECT max(updated_at) FROM profile")).scalar_one() == before


def test_later_valid_version_of_a_quarantined_record_is_accepted_and_resolves_it(service: IngestionService) -> None:
    service.ingest(RecordKind.jobseeker, read_jsonl(batch_text()))
    fixed = service.ingest(RecordKind.jobseeker, read_jsonl(jsonl([jobseeker(id="J096")])))
    assert (fixed.accepted, fixed.quarantined) == (1, 0)
    assert [r["record_id"] for r in export_quarantine(service.repository.engine)] == [None, None, "J048", "J071"]
    [resolved] = [
        r for r in export_quarantine(service.repository.engine, include_resolved=True) if r["record_id"] == "J096"
    ]
    assert resolved["resolved_at"] is not None
    assert resolved["resolved_at"] >= resolved["created_at"]
    assert profile(service, ProfileKind.jobseeker, "J096").languages == {"fr": 6, "nl": 3}


def test_valid_version_submitted_one_by_one_also_resolves_the_quarantine(service: IngestionService) -> None:
    service.ingest(RecordKind.jobseeker, read_jsonl(jsonl([jobseeker(id="J1", languages={"fr": "D1"})])))
    assert service.ingest_one(RecordKind.jobseeker, jobseeker(id="J1")).status == "accepted"
    assert export_quarantine(service.repository.engine) == []


def test_record_changed_in_one_field_is_updated_with_its_profile(service: IngestionService) -> None:
    first = service.ingest(RecordKind.jobseeker, read_jsonl(jsonl([jobseeker()])))
    before = stored(service.repository.engine, JobseekerRecord, "J-BAKER-FR")
    assert profile(service, ProfileKind.jobseeker, "J-BAKER-FR").languages == {"fr": 6, "nl": 3}
    changed = service.ingest(RecordKind.jobseeker, read_jsonl(jsonl([jobseeker(languages={"fr": "C2", "nl": "C1"})])))
    assert (first.accepted, changed.accepted, changed.updated, changed.unchanged) == (1, 0, 1, 0)
    after = stored(service.repository.engine, JobseekerRecord, "J-BAKER-FR")
    assert after["data"]["languages"] == {"fr": "C2", "nl": "C1"}
    assert after["content_hash"] != before["content_hash"]
    assert after["created_at"] == before["created_at"]
    assert profile(service, ProfileKind.jobseeker, "J-BAKER-FR").languages == {"fr": 6, "nl": 5}
    assert counts(service.repository.engine)["jobseeker"] == 1


def test_same_id_twice_in_one_batch_keeps_the_later_line(service: IngestionService) -> None:
    lines = jsonl([jobseeker(postcode="1000"), jobseeker(postcode="9000")])
    service.ingest(RecordKind.jobseeker, read_jsonl(lines))
    assert stored(service.repository.engine, JobseekerRecord, "J-BAKER-FR")["data"]["postcode"] == "9000"
    assert profile(service, ProfileKind.jobseeker, "J-BAKER-FR").postcode == "9000"


def test_summary_counts_every_line_read_even_with_a_repeated_id(service: IngestionService) -> None:
    lines = jsonl([jobseeker(postcode="1000"), jobseeker(postcode="9000")])
    assert service.ingest(RecordKind.jobseeker, read_jsonl(lines)).total == 2


def test_single_record_errors_are_raised_not_quarantined(service: IngestionService) -> None:
    with pytest.raises(InvalidRecord) as caught:
        service.ingest_one(RecordKind.jobseeker, jobseeker(skills=[UNKNOWN_SKILL], languages={"fr": "D1"}))
    # Schema errors come first; ESCO URIs are checked only on a schema-valid record.
    assert caught.value.errors == [FieldError("languages.fr", CEFR_D1, "cefr_level", (("value", "'D1'"),))]
    assert str(caught.value) == f"languages.fr: {CEFR_D1}"
    with pytest.raises(InvalidRecord) as unknown:
        service.ingest_one(RecordKind.vacancy, vacancy(occupation_uri=UNKNOWN_OCCUPATION))
    assert unknown.value.errors == [
        FieldError(
            "occupation_uri",
            f"unknown ESCO occupation: {UNKNOWN_OCCUPATION}",
            "unknown_esco_occupation",
            (("uri", UNKNOWN_OCCUPATION),),
        )
    ]
    assert counts(service.repository.engine) == {"jobseeker": 0, "vacancy": 0, "quarantine": 0, "profile": 0}


def test_skill_uuid_given_as_occupation_is_unknown(service: IngestionService) -> None:
    wrong = BAKE_GOODS.replace("/skill/", "/occupation/")
    with pytest.raises(InvalidRecord) as caught:
        service.ingest_one(RecordKind.jobseeker, jobseeker(desired_occupations=[BAKER, wrong]))
    assert caught.value.errors == [
        FieldError(
            "desired_occupations[1].occupation_uri",
            f"unknown ESCO occupation: {wrong}",
            "unknown_esco_occupation",
            (("uri", wrong),),
        )
    ]


# -- protected attributes ------------------------------------------------------------------------------------


def test_protected_attributes_warn_and_are_stored_nowhere(service: IngestionService) -> None:
    record = jobseeker(gender="F", birth_date="1990-04-01", nationality="Maroc", photo="https://example.be/m.jpg")
    summary = service.ingest(RecordKind.jobseeker, read_jsonl(jsonl([record])))
    assert summary.accepted == 1
    assert summary.warnings == [
        f"J-BAKER-FR: dropped protected attribute {name!r} (never used for matching)"
        for name in ("birth_date", "gender", "nationality", "photo")
    ]
    data = stored(service.repository.engine, JobseekerRecord, "J-BAKER-FR")["data"]
    assert not {"gender", "birth_date", "nationality", "photo"} & set(data)
    assert data == JobseekerIn.model_validate(jobseeker()).model_dump(mode="json")
    as_json = json.dumps(profile(service, ProfileKind.jobseeker, "J-BAKER-FR").to_json(), ensure_ascii=False)
    for word in ("gender", "birth_date", "1990-04-01", "nationality", "Maroc", "photo", "m.jpg", "Marie", "Dubois"):
        assert word not in as_json


def test_contact_is_kept_with_the_record_but_not_in_the_profile(service: IngestionService) -> None:
    service.ingest_one(RecordKind.jobseeker, jobseeker())
    data = stored(service.repository.engine, JobseekerRecord, "J-BAKER-FR")["data"]
    assert data["contact"] == {"name": "Marie Dubois", "email": "marie.dubois@example.be", "phone": "+32 2 123 45 67"}
    assert "contact" not in profile(service, ProfileKind.jobseeker, "J-BAKER-FR").to_json()


# -- provenance ----------------------------------------------------------------------------------------------


def test_free_text_skill_is_linked_with_provenance(service: IngestionService) -> None:
    service.ingest_one(RecordKind.jobseeker, jobseeker())
    links = stored(service.repository.engine, JobseekerRecord, "J-BAKER-FR")["links"]
    [skill_link] = [link for link in links if link["kind"] == "skill"]
    assert set(skill_link) == {"field", "text", "uri", "label", "score", "kind", "span"}
    assert {k: v for k, v in skill_link.items() if k != "score"} == {
        "field": "skills[2].text",
        "text": SOURDOUGH,
        "uri": PREPARE_BAKERY_PRODUCTS,
        "label": "faire du pain",
        "kind": "skill",
        "span": [0, len(SOURDOUGH)],
    }
    assert 0.5 <= skill_link["score"] <= 1.0
    skills = profile(service, ProfileKind.jobseeker, "J-BAKER-FR").skills
    extracted = concept(skills, PREPARE_BAKERY_PRODUCTS)
    assert (extracted.role, extracted.origin, extracted.source) == (Role.held, Origin.extracted, SOURDOUGH)
    assert extracted.confidence == pytest.approx(skill_link["score"], abs=1e-4)
    confirmed = concept(skills, KNEAD_FOOD)
    assert (confirmed.role, confirmed.origin, confirmed.confidence, confirmed.source) == (
        Role.held,
        Origin.confirmed,
        1.0,
        None,
    )


def test_experience_title_adds_the_occupation_and_its_essential_skills_as_inferred(
    service: IngestionService, fresh_runtime: Runtime
) -> None:
    service.ingest_one(RecordKind.jobseeker, jobseeker())
    links = stored(service.repository.engine, JobseekerRecord, "J-BAKER-FR")["links"]
    [title_link] = [link for link in links if link["kind"] == "occupation"]
    assert {k: v for k, v in title_link.items() if k not in {"score", "confidence"}} == {
        "field": "experiences[0].title",
        "text": "Boulanger",
        "uri": BAKER,
        "label": "boulanger",
        "kind": "occupation",
    }
    assert 0.5 < title_link["confidence"] <= 1.0
    person = profile(service, ProfileKind.jobseeker, "J-BAKER-FR")
    [occupation] = person.occupations
    assert (occupation.uri, occupation.role, occupation.origin, occupation.source) == (
        BAKER,
        Role.held,
        Origin.extracted,
        "Boulanger",
    )
    essential = set(fresh_runtime.taxonomy.skills_of(BAKER).essential)
    assert BAKE_GOODS in essential
    inferred = [c for c in person.skills if c.origin is Origin.inferred]
    # Skills the dossier states keep their stronger evidence; every other essential skill is inferred.
    stated = {c.uri for c in person.skills if c.origin is not Origin.inferred}
    assert {c.uri for c in inferred} == essential - stated
    assert len(inferred) == len(essential - stated) > 20
    for c in inferred:
        assert (c.role, c.source) == (Role.held, BAKER)
        assert c.confidence == pytest.approx(0.5 * occupation.confidence, abs=1e-4)
        assert c.confidence < concept(person.skills, PREPARE_BAKERY_PRODUCTS).confidence < 1.0
    assert concept(person.skills, BAKE_GOODS).origin is Origin.confirmed


@pytest.mark.parametrize(
    ("description", "plus", "lang"),
    [
        (
            "Vous confectionnez des produits de boulangerie. Pétrir des denrées alimentaires est un atout.",
            KNEAD_FOOD,
            "fr",
        ),
        ("U kunt bakkerswaren bakken. Weegapparatuur gebruiken is een pluspunt.", OPERATE_WEIGHING_MACHINE, "nl"),
    ],
    ids=["fr-est-un-atout", "nl-is-een-pluspunt"],
)
def test_description_phrase_that_is_a_plus_becomes_optional(
    service: IngestionService, description: str, plus: str, lang: str
) -> None:
    record = vacancy(title="Vendeur (h/f/x)", required_skills=[], description=description, language=lang)
    service.ingest_one(RecordKind.vacancy, record)
    skills = profile(service, ProfileKind.vacancy, "V-BAKKER-NL").skills
    required, optional = concept(skills, BAKE_GOODS), concept(skills, plus)
    assert (required.role, required.origin) == (Role.required, Origin.extracted)
    assert (optional.role, optional.origin) == (Role.optional, Origin.extracted)
    links = stored(service.repository.engine, VacancyRecord, "V-BAKKER-NL")["links"]
    spans = {link["uri"]: description[slice(*link["span"])] for link in links if link["field"] == "description"}
    # The span is the clause that states the skill; the source is that clause without its frame.
    assert optional.source is not None and optional.source in spans[plus]
    assert required.source is not None and required.source in spans[BAKE_GOODS]


def test_plus_in_the_next_sentence_does_not_make_a_requirement_optional(service: IngestionService) -> None:
    description = "Vous confectionnez des produits de boulangerie (indispensable). Le permis B est un atout."
    record = vacancy(title="Vendeur (h/f/x)", required_skills=[], description=description, language="fr")
    service.ingest_one(RecordKind.vacancy, record)
    assert concept(profile(service, ProfileKind.vacancy, "V-BAKKER-NL").skills, BAKE_GOODS).role is Role.required


def test_required_skill_stays_required_when_the_description_calls_it_a_plus(service: IngestionService) -> None:
    description = "Pétrir des denrées alimentaires est un atout."
    service.ingest_one(
        RecordKind.vacancy, vacancy(required_skills=[KNEAD_FOOD], description=description, language="fr")
    )
    knead = concept(profile(service, ProfileKind.vacancy, "V-BAKKER-NL").skills, KNEAD_FOOD)
    assert (knead.role, knead.origin, knead.confidence) == (Role.required, Origin.confirmed, 1.0)


# -- vacancies: the discrimination screen ---------------------------------------------------------------------


def test_screen_flags_are_stored_with_the_vacancy(service: IngestionService) -> None:
    record = vacancy(
        id="V-FR-1",
        language="fr",
        title="Boulanger (h/f/x)",
        description="Nous cherchons un boulanger jeune et dynamique.",
    )
    service.ingest_one(RecordKind.vacancy, record)
    row = stored(service.repository.engine, VacancyRecord, "V-FR-1")
    screened = "Boulanger (h/f/x)\nNous cherchons un boulanger jeune et dynamique."
    assert row["flags"] == [
        {
            "category": "age",
            "start": 46,
            "end": 64,
            "text": "jeune et dynamique",
            "rule": "age.young",
            "explanation": "Asks for young candidates; age may not be a selection criterion unless objectively "
            "justified.",
        }
    ]
    assert screened[46:64] == "jeune et dynamique"
    assert (row["language"], row["status"], row["employer_id"]) == ("fr", "open", "E-0042")


def test_neutral_gender_marker_gets_no_gender_flag(service: IngestionService) -> None:
    service.ingest_one(RecordKind.vacancy, vacancy(id="V-NEUTRAL", language="fr", title="Vendeur (h/f/x)"))
    service.ingest_one(RecordKind.vacancy, vacancy(id="V-FEMININE", language="fr", title="Vendeuse"))
    service.ingest_one(RecordKind.vacancy, vacancy(id="V-NL", title="Bakker (m/v/x)"))
    assert stored(service.repository.engine, VacancyRecord, "V-NEUTRAL")["flags"] == []
    assert stored(service.repository.engine, VacancyRecord, "V-NL")["flags"] == []
    assert [f["category"] for f in stored(service.repository.engine, VacancyRecord, "V-FEMININE")["flags"]] == [
        "gender"
    ]


def test_flagged_vacancy_is_kept_and_matched(service: IngestionService) -> None:
    record = vacancy(description="Nous cherchons un boulanger jeune et dynamique.", language="fr")
    assert service.ingest_one(RecordKind.vacancy, record).status == "accepted"
    assert profile(service, ProfileKind.vacancy, "V-BAKKER-NL").active is True


def test_vacancy_language_is_detected_when_absent(service: IngestionService) -> None:
    service.ingest_one(
        RecordKind.vacancy, without(vacancy(description="Wij zoeken een bakker voor onze winkel."), "language")
    )
    assert stored(service.repository.engine, VacancyRecord, "V-BAKKER-NL")["language"] == ""
    assert profile(service, ProfileKind.vacancy, "V-BAKKER-NL").lang == "nl"


def test_closed_vacancy_is_stored_but_not_indexed(service: IngestionService, fresh_runtime: Runtime) -> None:
    service.ingest_one(RecordKind.vacancy, vacancy(status="closed"))
    assert profile(service, ProfileKind.vacancy, "V-BAKKER-NL").active is False
    assert fresh_runtime.engine.stats()["vacancy"]["indexed"] == 0


# -- the engine sees what was ingested -----------------------------------------------------------------------


def index_stats(runtime: Runtime) -> dict[str, dict[str, object]]:
    """Profiles, indexed profiles, index type and tombstones per kind."""
    keys = ("profiles", "indexed", "index_type", "tombstones")
    return {kind: {key: value[key] for key in keys} for kind, value in runtime.engine.stats().items()}


def test_ingested_profiles_are_indexed(service: IngestionService, fresh_runtime: Runtime) -> None:
    assert index_stats(fresh_runtime) == {
        "jobseeker": {"profiles": 0, "indexed": 0, "index_type": "flat", "tombstones": 0},
        "vacancy": {"profiles": 0, "indexed": 0, "index_type": "flat", "tombstones": 0},
    }
    service.ingest(RecordKind.jobseeker, read_jsonl(batch_text()))
    service.ingest(RecordKind.vacancy, read_jsonl(jsonl([vacancy(), vacancy(id="V2", title="Boulanger (h/f/x)")])))
    assert index_stats(fresh_runtime) == {
        "jobseeker": {"profiles": 95, "indexed": 95, "index_type": "flat", "tombstones": 0},
        "vacancy": {"profiles": 2, "indexed": 2, "index_type": "flat", "tombstones": 0},
    }
    [best, *_] = fresh_runtime.engine.vacancies_for("J001", k=2)
    assert best.id in {"V-BAKKER-NL", "V2"}


# -- other layouts and formats -------------------------------------------------------------------------------


def test_csv_batch(service: IngestionService) -> None:
    batch = (
        "id;preferred_language;skills;languages;experiences;postcode;active\n"
        f'J-CSV-1;nl;"{BAKE_GOODS}; deeg kneden";"nl:C2; fr:B1";Bakker:12;9000;ja\n'
        "J-CSV-2;fr;pétrir;fr:Z9;Boulanger;1000;oui\n"
    )
    summary = service.ingest(RecordKind.jobseeker, read_csv(batch), source="dossiers.csv")
    assert (summary.accepted, summary.quarantined) == (1, 1)
    [row] = export_quarantine(service.repository.engine)
    assert (row["line"], row["record_id"], row["field"], row["reason"]) == (
        3,
        "J-CSV-2",
        "languages.fr",
        "CEFR level must be one of A1, A2, B1, B2, C1, C2, not 'Z9'",
    )
    person = profile(service, ProfileKind.jobseeker, "J-CSV-1")
    assert (person.lang, person.languages, person.postcode) == ("nl", {"nl": 6, "fr": 3}, "9000")
    assert concept(person.skills, BAKE_GOODS).origin is Origin.confirmed


def test_matching_dev_layout(service: IngestionService) -> None:
    record = {
        "id": "J-DEV-1",
        "language": "nl",
        "skills": {"esco": [BAKE_GOODS], "text": ["kneden van voedingsmiddelen"]},
        "experience": [{"title": "Bakker", "years": 3}],
        "languages": {"nl": "C2"},
    }
    summary = service.ingest(RecordKind.jobseeker, read_jsonl(jsonl([record])), fmt=RecordFormat.matching_dev)
    assert summary.accepted == 1
    data = stored(service.repository.engine, JobseekerRecord, "J-DEV-1")["data"]
    assert data["preferred_language"] == "nl"
    assert data["skills"][0] == {"uri": BAKE_GOODS, "text": None, "level": None, "source": "dossier"}
    assert data["skills"][1]["source"] == "free_text"
    assert [e["title"] for e in data["experiences"]] == ["Bakker"]
    person = profile(service, ProfileKind.jobseeker, "J-DEV-1")
    assert concept(person.skills, KNEAD_FOOD).origin is Origin.extracted
    assert [o.uri for o in person.occupations] == [BAKER]


def test_unchanged_batch_does_not_touch_the_store(service: IngestionService) -> None:
    service.ingest_one(RecordKind.jobseeker, jobseeker())
    with service.repository.engine.connect() as conn:
        table: Any = JobseekerRecord.__table__  # type: ignore[attr-defined]
        before = conn.execute(select(func.max(table.c.updated_at))).scalar_one()
    assert service.ingest_one(RecordKind.jobseeker, jobseeker(gender="F")).status == "unchanged"
    with service.repository.engine.connect() as conn:
        assert conn.execute(select(func.max(table.c.updated_at))).scalar_one() == before


# -- Dutch dossier text, stated against inferred -------------------------------------------------------------


def test_dutch_experience_description_is_linked_and_only_stated_skills_are_matched(fresh_runtime: Runtime) -> None:
    service = fresh_runtime.ingestion
    description = "Vier jaar lang bakkerswaren bakken in een ambachtelijke bakkerij in Anderlecht."
    seeker = jobseeker(
        id="J-BAKKER-NL",
        preferred_language="nl",
        skills=[],
        summary="",
        experiences=[{"title": "Medewerker bakkerij (m/v/x)", "years": 4, "description": description}],
    )
    service.ingest_one(RecordKind.jobseeker, seeker)
    person = profile(service, ProfileKind.jobseeker, "J-BAKKER-NL")
    from_text = [c for c in person.skills if c.field == "experiences[0].description"]
    assert BAKE_GOODS in {c.uri for c in from_text}
    for c in from_text:
        assert c.origin is Origin.extracted and c.span is not None
        assert c.source is not None and c.source in description[slice(*c.span)]
    links = stored(service.repository.engine, JobseekerRecord, "J-BAKKER-NL")["links"]
    assert any(link["field"] == "experiences[0].description" and link["uri"] == BAKE_GOODS for link in links)
    [occupation] = [c for c in person.occupations if c.field == "experiences[0].title"]
    assert occupation.uri == BAKER and 0 < occupation.confidence <= 1

    # A vacancy asking for a skill the dossier states and one only a baker's occupation implies.
    inferred = {c.uri for c in person.skills if c.origin is Origin.inferred}
    assert OPERATE_WEIGHING_MACHINE in inferred
    service.ingest_one(
        RecordKind.vacancy,
        vacancy(id="V-NL", required_skills=[BAKE_GOODS, OPERATE_WEIGHING_MACHINE], description="", language="nl"),
    )
    [match] = [m for m in fresh_runtime.engine.match(ProfileKind.vacancy, "V-NL", k=5) if m.id == "J-BAKKER-NL"]
    assert match.explanation is not None
    [matched] = match.explanation.matched
    assert matched.skill.uri == BAKE_GOODS
    assert matched.evidence is not None and matched.evidence["field"] == "experiences[0].description"
    assert "bakkerswaren bakken" in description[slice(*matched.evidence["span"])]
    [likely] = match.explanation.likely
    assert likely.skill.uri == OPERATE_WEIGHING_MACHINE and likely.inferred_from is not None
    assert likely.inferred_from.uri == BAKER and 0 < likely.credit < 1
