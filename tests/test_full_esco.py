"""End to end on the full ESCO release: the dev set ingests cleanly, and a French jobseeker meets Dutch
vacancies. Builds the full concept space once (minutes): marked slow."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from esco_data import LoadReport
from ingestion.adapters import RecordFormat
from ingestion.models import RecordKind
from ingestion.readers import read_file
from skillmatch.runtime import Runtime
from skillmatch.settings import REPO_ROOT, get_settings
from tests import esco_uris as U

pytestmark = pytest.mark.slow
MATCHING_DEV = REPO_ROOT.parent / "shared" / "eval" / "matching-dev"


@pytest.fixture(scope="module")
def full_runtime(full_esco: tuple[Engine, LoadReport], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    """The runtime over the full release, with the configured data directory's concept space (built there when
    missing, as `make run` would, and shared with the other slow tests) and profile indexes of its own."""
    engine, _ = full_esco
    settings = get_settings().model_copy(update={"database_url": str(engine.url)})
    yield Runtime.open(settings, db=engine, index_dir=tmp_path_factory.mktemp("full-indexes"))


def test_matching_dev_ingests_with_nothing_quarantined(full_runtime: Runtime) -> None:
    service = full_runtime.ingestion
    for kind, name in ((RecordKind.jobseeker, "jobseekers.jsonl"), (RecordKind.vacancy, "vacancies.jsonl")):
        summary = service.ingest(kind, read_file(MATCHING_DEV / name), source=name, fmt=RecordFormat.matching_dev)
        assert (summary.accepted, summary.quarantined) == (600, 0), summary.as_dict()
    again = service.ingest(
        RecordKind.vacancy, read_file(MATCHING_DEV / "vacancies.jsonl"), fmt=RecordFormat.matching_dev
    )
    assert (again.unchanged, again.accepted, again.updated) == (600, 0, 0)
    stats = full_runtime.engine.stats()
    assert stats["jobseeker"]["indexed"] == 600 and stats["vacancy"]["indexed"] == 600


def test_a_title_that_is_an_occupations_own_label_keeps_it_whatever_its_text_says(full_runtime: Runtime) -> None:
    # "brood en banket" is in the label of the bakery's seller ("verkoopspecialist brood en banket"), whose
    # alternative label "medewerker bakkerij" is close to "bakker": the text must not take a baker's title there.
    linker = full_runtime.linker
    found = linker.link_titles(["Bakker (m/v/x)"], ["Je bakt brood en banket."], "nl", k=3)[0]
    assert found[0].uri == U.BAKER
    exact = linker.exact_title("Bakker (m/v/x)")
    assert exact is not None and exact.uri == U.BAKER


@pytest.mark.parametrize(
    ("feminine", "masculine"),
    [("Monteuse zendmasten", "Monteur zendmasten"), ("Productieleidster televisie", "Productieleider televisie")],
)
def test_a_vacancy_title_with_its_description_links_alike_in_either_gender(
    full_runtime: Runtime, feminine: str, masculine: str
) -> None:
    text = "Je installeert en onderhoudt de installaties op locatie, vaak op hoogte, in een klein team."
    linker = full_runtime.linker
    [one], [other] = (linker.link_titles([title], [text], "nl", k=5) for title in (feminine, masculine))
    assert [c.uri for c in one] == [c.uri for c in other]
    assert [c.score for c in one] == pytest.approx([c.score for c in other], abs=1e-6)


def test_french_jobseeker_finds_the_dutch_vacancy_of_the_same_occupation_first(full_runtime: Runtime) -> None:
    service = full_runtime.ingestion
    vacancies = [
        {
            "id": "NL-BAKKER",
            "language": "nl",
            "title": "Bakker (m/v/x)",
            "description": "Je bakt brood en banket.",
            "required_skills": ["deeg kneden", "brood bakken"],
            "language_requirements": {"nl": "A2"},
        },
        {
            "id": "NL-KOK",
            "language": "nl",
            "title": "Kok (m/v/x)",
            "description": "Je bereidt warme gerechten.",
            "required_skills": ["gerechten bereiden"],
        },
        {"id": "NL-BOEKHOUDER", "language": "nl", "title": "Boekhouder", "required_skills": ["belastingen berekenen"]},
    ]
    for record in vacancies:
        service.ingest_one(RecordKind.vacancy, record)
    jobseeker = {
        "id": "FR-BOULANGERE",
        "preferred_language": "fr",
        "experiences": [{"title": "Boulangère", "years": 6}],
        "skills": ["pétrir la pâte", "cuire du pain", U.BAKE_GOODS],
        "languages": {"fr": "C2", "nl": "A2"},
        "postcode": "1070",
    }
    service.ingest_one(RecordKind.jobseeker, jobseeker)
    ranked = [m.id for m in full_runtime.engine.vacancies_for("FR-BOULANGERE", k=50)]
    dutch = [r for r in ranked if r.startswith("NL-")]
    assert dutch[0] == "NL-BAKKER"
    candidates = full_runtime.engine.candidates("NL-BAKKER", k=20, lang="fr")
    assert "FR-BOULANGERE" in [m.id for m in candidates[:3]]


def test_linker_on_real_titles(full_runtime: Runtime) -> None:
    linker = full_runtime.linker
    assert linker.link("Boulanger / Boulangère", "occupation", k=1)[0].uri == U.BAKER
    assert linker.link("bakker (m/v/x)", "occupation", k=1)[0].uri == U.BAKER
    assert linker.link("Développeur de logiciels", "occupation", k=1)[0].uri == U.SOFTWARE_DEVELOPER
    bookkeeper = linker.link("boekhouder", "occupation", k=1)[0]
    assert (bookkeeper.label, bookkeeper.label_lang) == ("boekhouder", "nl")  # an exact Dutch label wins


def test_phrases_link_by_head_and_complement_and_languages_become_cefr_requirements(full_runtime: Runtime) -> None:
    from ingestion.schemas import VacancyIn

    record = VacancyIn.model_validate(
        {
            "id": "V-PRECISION",
            "language": "fr",
            "title": "Infirmier (H/F)",
            "description": "Profil : Prévention d'escarres. Vous avez travaillé au SPF Santé publique. "
            "Brevet de cariste. Bonne connaissance du néerlandais. Gestion des stocks.",
            "required_skills": [
                "prévention des escarres",
                "SPF Santé publique",
                "Brevet de cariste",
                "Français",
                "mondeling in het Nederlands communiceren",
                "gestion des stocks",
            ],
            "language_requirements": {"en": "B2"},
        }
    )
    [built] = full_runtime.ingestion.builder.build([record])
    labels = {link["label"] for link in built.links if link["kind"] == "skill"}
    assert not labels & {"gérer la prévention des vols", "santé publique", "brevets", "Français", "néerlandais"}
    assert "gérer des stocks" in labels  # "gestion" and "gérer": one head in two forms (not "règles de ...")
    languages = {link["lang"]: link["level"] for link in built.links if link["kind"] == "language"}
    assert languages == {"fr": "B1", "nl": "B2"}
    language_skills = full_runtime.linker.language_skills
    assert not {c.uri for c in built.profile.skills} & language_skills
    assert built.profile.languages == {"fr": 3, "nl": 4, "en": 4}  # what the record states comes first
