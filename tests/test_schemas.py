"""Input schemas: every validation rule says what is wrong in words a person understands, and protected
attributes never get into a validated record."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from ingestion.schemas import (
    EMAIL,
    Cefr,
    DesiredOccupation,
    DrivingLicence,
    JobseekerIn,
    Language,
    SkillItem,
    VacancyIn,
    VacancyStatus,
)
from ingestion.validation import validation_errors
from tests.esco_uris import BAKE_GOODS, BAKER, KNEAD_FOOD
from tests.factories import SOURDOUGH, jobseeker, vacancy, without

CEFR_D1 = "CEFR level must be one of A1, A2, B1, B2, C1, C2, not 'D1'"
SKILL_URI_PATTERN = r"String should match pattern '^http://data\.europa\.eu/esco/skill/[A-Za-z0-9._~/-]+$'"
PROTECTED = [
    "gender",
    "birth_date",
    "age",
    "nationality",
    "origin",
    "disability",
    "family_situation",
    "marital_status",
    "children",
    "photo",
]


def problems(schema: type[BaseModel], data: dict[str, Any]) -> list[tuple[str, str]]:
    """(field path, reason) of every error, as ingestion reports them."""
    with pytest.raises(ValidationError) as caught:
        schema.model_validate(data)
    return [(e.field, e.reason) for e in validation_errors(caught.value)]


# -- valid records -----------------------------------------------------------------------------------------


def test_factory_jobseeker_is_valid() -> None:
    record = JobseekerIn.model_validate(jobseeker())
    assert record.id == "J-BAKER-FR"
    assert record.preferred_language is Language.fr
    assert [(s.uri, s.text) for s in record.skills] == [(BAKE_GOODS, None), (KNEAD_FOOD, None), (None, SOURDOUGH)]
    assert record.languages == {"fr": Cefr.C2, "nl": Cefr.B1}
    assert record.experiences[0].title == "Boulanger"
    assert record.experiences[0].years == 6.0
    assert record.postcode == "1000"
    assert record.dropped_protected == []


def test_factory_vacancy_is_valid() -> None:
    record = VacancyIn.model_validate(vacancy())
    assert record.title == "Bakker (m/v/x)"
    assert record.language is Language.nl
    assert [s.uri for s in record.required_skills] == [BAKE_GOODS]
    assert record.language_requirements == {"nl": Cefr.B1}
    assert record.status is VacancyStatus.open
    assert record.openings == 1


# -- one rule, one message ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(jobseeker(languages={"fr": "D1"}), [("languages.fr", CEFR_D1)], id="cefr-out-of-range"),
        pytest.param(jobseeker(languages={"fr": "d1"}), [("languages.fr", CEFR_D1)], id="cefr-lowercase-out-of-range"),
        pytest.param(
            jobseeker(languages={"fra": "B1"}),
            [("languages.fra.[key]", "String should match pattern '^[a-z]{2}$' (found 'fra')")],
            id="language-code",
        ),
        pytest.param(
            jobseeker(postcode="0999"),
            [("postcode", "String should match pattern '^[1-9][0-9]{3}$' (found '0999')")],
            id="postcode-leading-zero",
        ),
        pytest.param(
            jobseeker(postcode="B-1000"),
            [("postcode", "String should match pattern '^[1-9][0-9]{3}$' (found 'B-1000')")],
            id="postcode-letters",
        ),
        pytest.param(
            jobseeker(skills=[{"uri": "https://data.europa.eu/esco/skill/x"}]),
            [("skills[0].uri", SKILL_URI_PATTERN + " (found 'https://data.europa.eu/esco/skill/x')")],
            id="skill-uri-pattern",
        ),
        pytest.param(
            jobseeker(skills=[{"uri": BAKER}]),
            [("skills[0].uri", SKILL_URI_PATTERN + f" (found {BAKER!r})")],
            id="occupation-uri-as-skill",
        ),
        pytest.param(without(jobseeker(), "id"), [("id", "this field is required")], id="missing-id"),
        pytest.param(
            jobseeker(id="J 1"),
            [("id", "String should match pattern '^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$' (found 'J 1')")],
            id="id-with-space",
        ),
        pytest.param(
            jobseeker(skills=[{"level": "advanced"}]),
            [("skills[0]", "a skill needs an ESCO skill URI or a text")],
            id="skill-without-uri-or-text",
        ),
        pytest.param(
            jobseeker(desired_occupations=[{}]),
            [("desired_occupations[0]", "a desired occupation needs a title or an ESCO occupation URI")],
            id="desired-occupation-empty",
        ),
        pytest.param(
            jobseeker(experiences=[{"title": "b" * 201}]),
            [("experiences[0].title", "String should have at most 200 characters")],
            id="experience-title-oversized",
        ),
        pytest.param(
            jobseeker(experiences=[{"title": "Boulanger", "years": 61}]),
            [("experiences[0].years", "Input should be less than or equal to 60")],
            id="years-too-many",
        ),
        pytest.param(
            jobseeker(education_level="high"),
            [("education_level", "Input should be a valid integer, unable to parse string as an integer")],
            id="wrong-type",
        ),
        pytest.param(
            jobseeker(summary="x" * 5001),
            [("summary", "String should have at most 5000 characters")],
            id="summary-oversized",
        ),
        pytest.param(
            jobseeker(skills=["x" * 301]),
            [("skills[0].text", "String should have at most 300 characters")],
            id="skill-text-oversized",
        ),
        pytest.param(
            jobseeker(driving_licences=["B", "Z"]),
            [
                (
                    "driving_licences[1]",
                    "Input should be 'AM', 'A1', 'A2', 'A', 'B', 'BE', 'C1', 'C1E', 'C', 'CE', 'D1', 'D1E', 'D', "
                    "'DE' or 'G'",
                )
            ],
            id="unknown-licence",
        ),
        pytest.param(
            jobseeker(contact={"email": "marie.dubois.example.be"}),
            [
                (
                    "contact.email",
                    f"String should match pattern '{EMAIL}' (the value found is not shown: contact details)",
                )
            ],
            id="email",
        ),
    ],
)
def test_jobseeker_rule_message(data: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    assert problems(JobseekerIn, data) == expected


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(
            vacancy(title="b" * 201), [("title", "String should have at most 200 characters")], id="title-oversized"
        ),
        pytest.param(vacancy(title="   "), [("title", "String should have at least 1 character")], id="title-blank"),
        pytest.param(without(vacancy(), "title"), [("title", "this field is required")], id="title-missing"),
        pytest.param(vacancy(language_requirements={"nl": "D1"}), [("language_requirements.nl", CEFR_D1)], id="cefr"),
        pytest.param(
            vacancy(status="archived"),
            [("status", "Input should be 'draft', 'open', 'filled' or 'closed'")],
            id="status",
        ),
        pytest.param(
            vacancy(openings=0), [("openings", "Input should be greater than or equal to 1")], id="no-openings"
        ),
        pytest.param(
            vacancy(occupation_uri=BAKE_GOODS),
            [
                (
                    "occupation_uri",
                    r"String should match pattern '^http://data\.europa\.eu/esco/occupation/[A-Za-z0-9._~/-]+$'"
                    f" (found {BAKE_GOODS!r})",
                )
            ],
            id="skill-uri-as-occupation",
        ),
    ],
)
def test_vacancy_rule_message(data: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    assert problems(VacancyIn, data) == expected


def test_every_problem_is_reported_in_field_order() -> None:
    data = jobseeker(skills=[{}], education_level="high", languages={"fr": "D1"}, postcode="0999")
    assert [field for field, _ in problems(JobseekerIn, data)] == [
        "skills[0]",
        "education_level",
        "languages.fr",
        "postcode",
    ]


# -- lenient where a person would be -----------------------------------------------------------------------


def test_bare_strings_become_uri_or_text() -> None:
    record = JobseekerIn.model_validate(jobseeker(skills=[f"  {BAKE_GOODS} ", "pétrir la pâte"]))
    assert record.skills == [SkillItem(uri=BAKE_GOODS), SkillItem(text="pétrir la pâte")]


def test_bare_desired_occupations_become_uri_or_title() -> None:
    record = JobseekerIn.model_validate(jobseeker(desired_occupations=[BAKER, "Pâtissier"]))
    assert record.desired_occupations == [
        DesiredOccupation(occupation_uri=BAKER),
        DesiredOccupation(title="Pâtissier"),
    ]


def test_lowercase_cefr_licences_language_codes_and_status_are_accepted() -> None:
    person = JobseekerIn.model_validate(jobseeker(languages={"FR": " c1 ", "nl": "b2"}, driving_licences=["b", " c1e"]))
    assert person.languages == {"fr": Cefr.C1, "nl": Cefr.B2}
    assert person.driving_licences == [DrivingLicence.B, DrivingLicence.C1E]
    job = VacancyIn.model_validate(vacancy(status=" OPEN ", language_requirements={"nl": "b1"}))
    assert job.status is VacancyStatus.open
    assert job.language_requirements == {"nl": Cefr.B1}


def test_cefr_rank_orders_levels() -> None:
    assert [level.rank for level in Cefr] == [1, 2, 3, 4, 5, 6]
    assert [level.value for level in Cefr] == ["A1", "A2", "B1", "B2", "C1", "C2"]


# -- protected attributes ----------------------------------------------------------------------------------


def test_protected_attributes_are_dropped_and_listed() -> None:
    data = jobseeker(
        gender="F",
        birth_date="1990-04-01",
        age=34,
        nationality="BE",
        origin="Maroc",
        disability=False,
        family_situation="cohabitant",
        marital_status="married",
        children=2,
        photo="https://example.be/marie.jpg",
    )
    record = JobseekerIn.model_validate(data)
    assert record.dropped_protected == sorted(PROTECTED)
    dumped = record.model_dump(mode="json")
    assert not set(PROTECTED) & set(dumped)
    for value in ("1990-04-01", "Maroc", "cohabitant", "married", "https://example.be/marie.jpg"):
        assert value not in record.model_dump_json()
    assert record.model_dump(mode="json") == JobseekerIn.model_validate(jobseeker()).model_dump(mode="json")


@pytest.mark.parametrize("name", ["Gender", " nationality ", "AGE"])
def test_protected_attribute_names_are_matched_regardless_of_case_and_spaces(name: str) -> None:
    record = JobseekerIn.model_validate(jobseeker(**{name: "x"}))
    assert record.dropped_protected == [name]


def test_protected_attributes_are_dropped_from_vacancies() -> None:
    record = VacancyIn.model_validate(vacancy(gender="M", age="25-35"))
    assert record.dropped_protected == ["age", "gender"]
    assert not {"gender", "age"} & set(record.model_dump())


def test_protected_attribute_does_not_hide_other_errors() -> None:
    assert problems(JobseekerIn, jobseeker(gender="F", languages={"fr": "D1"})) == [("languages.fr", CEFR_D1)]


def test_contact_details_are_kept_under_contact() -> None:
    record = JobseekerIn.model_validate(jobseeker())
    assert record.model_dump()["contact"] == {
        "name": "Marie Dubois",
        "email": "marie.dubois@example.be",
        "phone": "+32 2 123 45 67",
    }
