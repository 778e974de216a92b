"""Hostile text, field by field: the one cleaning function, the screen of a jobseeker's own words, duplicate JSON
keys, strict numbers and dates, and CSV cells that a spreadsheet would run."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable
from functools import cache
from typing import Any

import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from ingestion.csv_export import safe_cell, to_csv
from ingestion.readers import read_jsonl
from ingestion.schemas import JobseekerIn, VacancyIn
from ingestion.self_screen import screen_self_description
from ingestion.strict_json import DuplicateKey, loads_strict
from ingestion.text_clean import _INVISIBLE, _REMOVED, EmptyText, _keep, clean_text, hidden_ranges, printable
from ingestion.validation import protected_warnings, validation_errors
from tests.factories import jobseeker, vacancy

EMPTY = "is empty once invisible and control characters are removed"


@cache
def _published(model: Any) -> Any:
    return jsonschema_rs.Draft202012Validator(model.model_json_schema(ref_template="#/$defs/{model}"))


INVISIBLE = ["\u200b\u200b\u200b", "\u202e\u2800", "\u00ad\ufeff", "\x00\x01\x1f", "\u3164 \u2066\u2069", "\u200d\t"]


@pytest.mark.parametrize("text", INVISIBLE)
def test_text_of_only_invisible_characters_is_refused(text: str) -> None:
    with pytest.raises(EmptyText, match=EMPTY):
        clean_text(text)


def test_cleaning_removes_controls_direction_marks_and_tidies_spaces() -> None:
    assert clean_text("  Bou\u200blan\x00ger\u202e  (h/f)\u00a0\t ") == "Boulanger (h/f)"
    assert clean_text("ligne un\r\nligne\x07 deux", multiline=True) == "ligne un\nligne deux"
    assert clean_text("ligne un\nligne deux") == "ligne un ligne deux"
    assert clean_text("Cafe\u0301") == "Café"  # NFC
    assert clean_text("   ") == ""  # white space only is empty, not hostile


@given(st.text())
def test_cleaning_never_leaves_a_control_or_format_character(text: str) -> None:
    try:
        cleaned = clean_text(text, multiline=True)
    except EmptyText:
        return
    assert "\x00" not in cleaned
    assert all(c == "\n" or (ord(c) >= 0x20 and not 0x7F <= ord(c) < 0xA0) for c in cleaned)
    assert not any(0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069 or c == "\u200b" for c in cleaned)
    assert clean_text(cleaned, multiline=True) == cleaned  # idempotent


def test_printable_escapes_what_a_database_refuses() -> None:
    assert printable('{"id": "A\x00B"}\t') == '{"id": "A\\u0000B"}\t'


@pytest.mark.parametrize(
    ("record", "field"),
    [
        (jobseeker(experiences=[{"title": "\u200b\u200b\u200b"}]), "experiences[0].title"),
        (jobseeker(skills=["\u202e\u2800"]), "skills[0].text"),
        (jobseeker(skills=[{"text": "\x00"}]), "skills[0].text"),
        (jobseeker(desired_occupations=["\u200b"]), "desired_occupations[0].title"),
        (jobseeker(summary="\u2800\u2800"), "summary"),
        (vacancy(title="\u200b\u200c\u200d"), "title"),
        (vacancy(description="\ufeff\u00ad"), "description"),
    ],
)
def test_fields_empty_once_cleaned_are_refused_with_their_path(record: dict[str, object], field: str) -> None:
    schema = JobseekerIn if "preferred_language" in record else VacancyIn
    with pytest.raises(Exception) as info:
        schema.model_validate(record)
    assert [(e.field, e.reason) for e in validation_errors(info.value)] == [(field, EMPTY)]  # type: ignore[arg-type]


def test_nul_and_controls_are_stripped_from_every_text_field() -> None:
    record = JobseekerIn.model_validate(
        jobseeker(
            summary="Boulanger\x00 de nuit,\x1b[31m four\x7f à bois.",
            experiences=[{"title": "Bou\x00langer"}],
            skills=[{"text": "pétrir\x00 la pâte"}],
        )
    )
    assert record.summary == "Boulanger de nuit,[31m four à bois."
    assert record.experiences[0].title == "Boulanger"
    assert record.skills[0].text == "pétrir la pâte"
    assert "\x00" not in record.model_dump_json()


def test_bidi_overrides_and_zero_width_spaces_leave_names_and_emails() -> None:
    contact = {"name": "Marie \u202eDubois\u202c", "email": "ma\u200brie@exa\u202emple.be", "phone": "+32 2 123 45 67"}
    record = JobseekerIn.model_validate(jobseeker(contact=contact))
    assert record.contact is not None
    assert (record.contact.name, record.contact.email) == ("Marie Dubois", "marie@example.be")


@pytest.mark.parametrize(
    ("record", "field", "reason"),
    [
        (jobseeker(experiences=[{"title": "Boulanger", "years": True}]), "experiences[0].years", "number"),
        (jobseeker(education_level=False), "education_level", "number"),
        (jobseeker(travel={"max_km": True}), "travel.max_km", "number"),
        (jobseeker(available_from=0), "available_from", "date"),
        (jobseeker(available_from=1767225600), "available_from", "date"),
        (vacancy(hours_per_week=True), "hours_per_week", "number"),
        (vacancy(openings=True), "openings", "number"),
        (vacancy(valid_until=20270101), "valid_until", "date"),
    ],
)
def test_strict_types_no_bool_as_number_no_number_as_date(record: dict[str, object], field: str, reason: str) -> None:
    schema = JobseekerIn if "preferred_language" in record else VacancyIn
    with pytest.raises(Exception) as info:
        schema.model_validate(record)
    expected = "expected a number, not true or false" if reason == "number" else "expected a date as YYYY-MM-DD"
    assert [(e.field, e.reason) for e in validation_errors(info.value)] == [(field, expected)]  # type: ignore[arg-type]


def test_numbers_and_dates_as_text_still_read_as_batch_files_give_them() -> None:
    record = JobseekerIn.model_validate(
        jobseeker(experiences=[{"title": "Boulanger", "years": "6.5"}], available_from="2027-01-04")
    )
    assert record.experiences[0].years == 6.5
    assert str(record.available_from) == "2027-01-04"


def test_duplicate_keys_are_refused_at_every_depth() -> None:
    assert loads_strict('{"a": 1, "b": {"c": 2}}') == {"a": 1, "b": {"c": 2}}
    with pytest.raises(DuplicateKey, match="'id' appears twice"):
        loads_strict('{"id": "A", "id": "B"}')
    with pytest.raises(DuplicateKey, match="'level' appears twice"):
        loads_strict('{"skills": [{"level": "basic", "level": "expert"}]}')
    [raw] = read_jsonl('{"id": "J1", "id": "J2"}\n')
    assert raw.data is None and raw.error == "invalid JSON: the key 'id' appears twice in one object"


@pytest.mark.parametrize(
    ("text", "kept", "categories"),
    [
        (
            "Boulanger depuis 10 ans. J'ai 52 ans, je suis marié. Je cherche un poste à Bruxelles.",
            "Boulanger depuis 10 ans. Je cherche un poste à Bruxelles.",
            ["age", "family"],
        ),
        (
            "Ik ben 45 jaar en gehuwd. Ik heb 12 jaar ervaring als kok!",
            "Ik heb 12 jaar ervaring als kok!",
            ["age", "family"],
        ),
        ("Je suis de nationalité marocaine. Née à Casablanca. Soudeuse.", "Soudeuse.", ["origin"]),
        ("I am a woman with a forklift licence. Mother of two children.", "", ["family", "gender"]),
        ("Ik ben een manager. Ik heb een beperking.", "Ik ben een manager.", ["disability"]),
        ("Je suis enceinte de trois mois; cariste.", "cariste.", ["family"]),
        # Folded as the discrimination screen folds (esco_data.fold_text): every typographic apostrophe is "'".
        ("J\u2018ai 52 ans. Boulanger.", "Boulanger.", ["age"]),
        ("J\u02bcai 52 ans. Boulanger.", "Boulanger.", ["age"]),
    ],
)
def test_protected_statements_leave_a_jobseekers_summary(text: str, kept: str, categories: list[str]) -> None:
    screened = screen_self_description(text)
    assert (screened.text, screened.categories) == (kept, categories)


@pytest.mark.parametrize(
    "text",
    [
        "J'ai 15 ans d'expérience en boulangerie.",
        "Éducatrice auprès de personnes handicapées; garde de 3 enfants.",
        "Produits d'origine biologique; suivi de grossesse en maternité.",
        "Ik heb 20 jaar ervaring in de zorg voor kinderen van 3 jaar.",
        "Marie Dupont m'a formée au four à bois.",
    ],
)
def test_work_that_names_those_words_is_kept(text: str) -> None:
    assert screen_self_description(text) == screen_self_description(text).__class__(text, [])


def test_a_screened_summary_gives_a_warning_and_is_not_stored() -> None:
    record = JobseekerIn.model_validate(jobseeker(summary="Boulangère. J'ai 58 ans et trois enfants."))
    assert record.summary == "Boulangère."
    assert protected_warnings(record) == [
        "J-BAKER-FR: removed from the summary what it said about age (never used for matching)"
    ]


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+32 2 123 45 67", "'+32 2 123 45 67"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\uff1d1+1", "'\uff1d1+1"),
        ("Boulanger", "Boulanger"),
        (-3, "-3"),
        (None, ""),
    ],
)
def test_csv_cells_that_would_run_as_formulas_are_neutralised(value: object, cell: str) -> None:
    assert safe_cell(value) == cell


def test_csv_export_neutralises_every_cell_and_reads_back() -> None:
    text = to_csv([{"a": "=1+1", "b": ["x"]}, {"a": "ok"}], ["a", "b"])
    assert list(csv.reader(io.StringIO(text))) == [["a", "b"], ["'=1+1", '["x"]'], ["ok", ""]]


# -- the published schema states the visible-character rule, for every text field -------------------------------

_TEXT_FIELDS: list[tuple[str, Callable[[str], dict[str, object]]]] = [
    ("summary", lambda t: jobseeker(summary=t)),
    ("contact.name", lambda t: jobseeker(contact={"name": t})),
    ("experiences[0].title", lambda t: jobseeker(experiences=[{"title": t}])),
    ("experiences[0].description", lambda t: jobseeker(experiences=[{"title": "Boulanger", "description": t}])),
    ("skills[0]", lambda t: jobseeker(skills=[t])),
    ("skills[0].text", lambda t: jobseeker(skills=[{"text": t}])),
    ("skills[0].source", lambda t: jobseeker(skills=[{"text": "pétrir", "source": t}])),
    ("desired_occupations[0]", lambda t: jobseeker(desired_occupations=[t])),
    ("desired_occupations[0].title", lambda t: jobseeker(desired_occupations=[{"title": t}])),
    ("vacancy.title", lambda t: vacancy(title=t)),
    ("vacancy.description", lambda t: vacancy(description=t)),
    ("vacancy.required_skills[0]", lambda t: vacancy(required_skills=[t])),
]
_ALPHABET = st.sampled_from(["a", "é", " ", "\t", "\n", "\u200b", "\u202e", "\u2800", "\x00", "\x1f", "\ufeff",
                             "\u00ad", "\ue000", "\U000e0020", "\u3000", "\u0085", "\U0001f600"])  # fmt: skip


@pytest.mark.parametrize(("field", "build"), _TEXT_FIELDS, ids=[f for f, _ in _TEXT_FIELDS])
@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(_ALPHABET, max_size=8))
def test_the_schema_says_exactly_which_texts_the_server_takes(
    field: str, build: Callable[[str], dict[str, object]], text: str
) -> None:
    """Valid against the published JSON Schema if and only if the model accepts it: a text of invisible and
    control characters is refused by both, white space alone (optional texts) and visible text taken by both."""
    record = build(text)
    model = VacancyIn if field.startswith("vacancy.") else JobseekerIn
    try:
        model.model_validate(record)
        accepted = True
    except ValidationError:
        accepted = False
    assert _published(model).is_valid(record) == accepted, (field, text)


def test_every_text_field_of_the_schemas_states_a_pattern() -> None:
    """A string the server cleans is published with the rule: a pattern on every free text (or an enum, a
    format or a pattern of its own for ids, codes and URIs)."""
    bare = []
    for model in (JobseekerIn, VacancyIn):
        schema = model.model_json_schema(ref_template="#/$defs/{model}")

        def walk(node: object, path: str) -> None:
            if isinstance(node, dict):
                if node.get("type") == "string" and not ({"enum", "const", "format", "pattern"} & set(node)):
                    if not path.endswith(("/anyOf[0]/properties/title", "/anyOf[1]/properties/occupation_uri",
                                          "/anyOf[0]/properties/uri", "/anyOf[1]/properties/text")):  # fmt: skip
                        bare.append(path)
                for key, value in node.items():
                    walk(value, f"{path}/{key}")
            elif isinstance(node, list):
                for i, value in enumerate(node):
                    walk(value, f"{path}[{i}]")

        walk(schema, model.__name__)
    assert bare == []


def test_the_hidden_characters_are_those_unicode_says() -> None:
    """``HIDDEN`` (built into the schemas' patterns) is exactly what cleaning removes besides white space."""
    expected = []
    for cp in range(0x110000):
        char = chr(cp)
        if 0xD800 <= cp <= 0xDFFF or char.isspace() or char in "\x1c\x1d\x1e\x1f":
            continue
        if unicodedata.category(char) in ("Cc", "Cf", "Co") or char in _INVISIBLE:
            if expected and expected[-1][1] == cp - 1:
                expected[-1] = (expected[-1][0], cp)
            else:
                expected.append((cp, cp))
    spaces_inside = {0x85, 0xFEFF}  # a space to some regex engines, removed by cleaning too
    assert [r for r in hidden_ranges() if not (r[0] == r[1] and r[0] in spaces_inside)] == [
        r for r in expected if not (r[0] == r[1] and r[0] in spaces_inside)
    ]


def test_the_removal_regex_refuses_what_the_character_rule_refuses_on_every_code_point() -> None:
    """``clean_text`` removes characters with one regex (``_REMOVED``); ``_keep`` says, a character at a time from
    its Unicode category, what must go. They agree on every code point but the line breaks, which are one ``\\n``
    before either looks."""
    breaks = {"\n", "\r", "\x85", "\u2028", "\u2029"}
    every = "".join(chr(cp) for cp in range(0x110000) if chr(cp) not in breaks)
    assert _REMOVED.sub("", every) == "".join(c for c in every if _keep(c, multiline=True))
    assert _REMOVED.sub("", every) == "".join(c for c in every if _keep(c, multiline=False))
