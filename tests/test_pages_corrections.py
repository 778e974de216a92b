"""What the engine understood, shown and corrected in the pages (French and Dutch): the consultant's vacancy page
shows the proposed occupations with their evidence, the skills with their kind and the language levels, and a
correction there changes the candidates at once; the bands of a score are the rule of ``matching.ranking``; a
jobseeker corrects their own dossier (and teaches nothing); a consultant sees and corrects a dossier; an
administrator lists and undoes learned links."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from ingestion.models import RecordKind
from matching.ranking import Band, Explanation, SkillExplanation, band
from matching.ranking.explain import Labelled
from skillmatch.runtime import Runtime
from tests import test_corrections as api_corrections
from tests.auth import OWN_DOSSIER, Tokens, bearer
from tests.esco_uris import BAKE_GOODS, COOK, KNEAD_FOOD, PASTRY_MAKER, TEND_BAKERY_OVENS
from tests.factories import vacancy

pytestmark = pytest.mark.parametrize("slice_db", ["sqlite"], indirect=True)
"""The pages on SQLite only: the corrections they send are the API's, tested on both databases
(``tests/test_corrections.py``)."""
ORIGIN = {"Origin": "http://testserver"}
world = api_corrections.world
"""The same records as the API's corrections tests: two jobseekers and the vacancy ``V-OUVRIER``."""


def _get(client: TestClient, token: str, path: str, lang: str = "fr") -> str:
    path = path.split("#")[0]
    response = client.get(f"{path}{'&' if '?' in path else '?'}lang={lang}", headers=bearer(token))
    assert response.status_code == 200, response.text[:500]
    return response.text


def _post(client: TestClient, token: str, path: str, **form: str) -> str:
    response = client.post(path, data=form, headers=bearer(token) | ORIGIN, follow_redirects=False)
    assert response.status_code == 303, response.text[:500]
    return str(response.headers["location"])


def _ranked(html: str) -> list[str]:
    return re.findall(r'<li class="card result[^"]*" id="c-\d+">\s*<h3>([^<\s]+)', html)


def _section(html: str) -> str:
    start = html.index('id="understood"')
    return html[start : html.index("</section>", start)]


def test_the_vacancy_page_shows_what_was_understood_and_a_correction_changes_the_candidates(
    world: tuple[Runtime, Tokens, TestClient],
) -> None:
    runtime, tokens, client = world
    page = _get(client, tokens.consultant, "/ui/vacancies/V-OUVRIER")
    seen = _section(page)
    assert "Ce que le moteur a compris" in seen and "Métiers proposés par le moteur" in seen
    proposed = re.findall(r'name="item" value="title"><input type="hidden" name="uri" value="([^"]+)"', seen)
    assert 1 <= len(proposed) <= 5 and len(set(proposed)) == len(proposed) and PASTRY_MAKER not in proposed[:1]
    assert "confiance" in seen and "choisi d&#39;après les mots" in seen
    # A skill read from the text says so, with its words; a language read from the text is a level, not a skill.
    assert "lue dans le texte" in seen and "pétrir des denrées alimentaires" in seen
    assert re.search(r"néerlandais [ABC][12]", seen) and "lu dans le texte" in seen
    before = _ranked(page)

    said = _post(client, tokens.consultant, "/ui/vacancies/V-OUVRIER/corrections", action="occupation",
                 uri=PASTRY_MAKER)  # fmt: skip
    assert said.endswith("said=corrected_occupation_taught#understood-h")
    page = _get(client, tokens.consultant, said)
    seen = _section(page)
    assert "Le métier est enregistré ; le même intitulé sera d&#39;abord proposé avec ce métier." in seen
    assert "Métier retenu" in seen and "confirmé par un conseiller le" in seen
    after = _ranked(page)
    assert after[0] == "J-PATISSIER" and after != before
    # The same title pasted again is proposed with the confirmed occupation first, said so.
    again = client.post(
        "/ui/vacancies", data={"title": "OUVRIER BOULANGER - Bruxelles", "language": "fr", "postcode": "1000"},
        headers=bearer(tokens.consultant) | ORIGIN, follow_redirects=False,
    )  # fmt: skip
    pasted = again.headers["location"].split("/ui/vacancies/")[1].split("?")[0]
    assert runtime.corrections._stored(RecordKind.vacancy, pasted)[0]["postcode"] == "1000"  # its place counts
    refused = client.post(
        "/ui/vacancies", data={"title": "Boulanger", "language": "fr", "postcode": "12"},
        headers=bearer(tokens.consultant) | ORIGIN, follow_redirects=False,
    )  # fmt: skip
    assert refused.status_code == 422 and "<li>Code postal: " in refused.text
    seen = _section(_get(client, tokens.consultant, again.headers["location"], lang="nl"))
    first = re.search(r'<li><span class="proposal">(.*?)</span>\s*(.*?)</li>', seen, re.S)
    assert first is not None and "gebakmaker" in first.group(1).lower()
    assert "bevestigd door een consulent op" in first.group(2)

    # Remove a skill, add one (required), set a language level: each is stated and shown at once.
    _post(client, tokens.consultant, "/ui/vacancies/V-OUVRIER/corrections", action="remove_skill", uri=KNEAD_FOOD)
    _post(client, tokens.consultant, "/ui/vacancies/V-OUVRIER/corrections", action="add_skill",
          uri=TEND_BAKERY_OVENS, required="1")  # fmt: skip
    said = _post(client, tokens.consultant, "/ui/vacancies/V-OUVRIER/corrections", action="language", lang="nl",
                 level="B2")  # fmt: skip
    assert said.endswith("said=corrected_language#understood-h")
    data = runtime.corrections._stored(RecordKind.vacancy, "V-OUVRIER")[0]
    assert KNEAD_FOOD in data["excluded_skills"] and data["language_requirements"] == {"nl": "B2"}
    assert any(item.get("uri") == TEND_BAKERY_OVENS for item in data["required_skills"])
    seen = _section(_get(client, tokens.consultant, "/ui/vacancies/V-OUVRIER", lang="nl"))
    assert "Nederlands B2" in seen and "opgegeven" in seen
    assert KNEAD_FOOD not in seen
    # A bad concept is refused with a word, and nothing is stored.
    said = _post(client, tokens.consultant, "/ui/vacancies/V-OUVRIER/corrections", action="occupation",
                 uri=BAKE_GOODS)  # fmt: skip
    assert said.endswith("said=correction_invalid#understood-h")


def test_bands_are_one_rule_and_the_list_says_when_no_candidate_is_strong(
    world: tuple[Runtime, Tokens, TestClient],
) -> None:
    runtime, tokens, client = world
    label = Labelled(BAKE_GOODS, "x", "fr", False)

    def explained(**counts: int) -> Explanation:
        e = Explanation(lang="fr")
        for status, n in counts.items():
            getattr(e, status).extend(SkillExplanation(label, status, 0.0) for _ in range(n))
        return e

    assert band(0.9, explained()) is Band.occupation_only
    assert band(0.99, explained(likely=4)) is Band.partial  # likely (inferred) never makes a match strong
    assert band(0.99, explained(missing=4)) is Band.weak
    assert band(0.6, explained(matched=2, missing=2)) is Band.strong
    assert band(0.4, explained(matched=2, missing=2)) is Band.partial
    assert band(0.9, explained(matched=1, partial=1, missing=6)) is Band.partial
    assert band(0.9, explained(matched=1, missing=7)) is Band.weak

    # The API's match carries the band; the page shows it and says so when no candidate is strong.
    matches = client.get("/vacancies/V-OUVRIER/candidates", headers=bearer(tokens.consultant)).json()
    assert matches and all(m["band"] in {b.value for b in Band} for m in matches)
    holding = [m for m in matches if not m["explanation"]["matched"]]
    assert holding and all(m["band"] != "strong" for m in holding)
    page = _get(client, tokens.consultant, "/ui/vacancies/V-OUVRIER")
    if not any(m["band"] == "strong" for m in matches):
        assert "Aucune correspondance forte" in page
    assert any(f"correspondance {w}" in page for w in ("forte", "partielle", "faible"))
    # A vacancy that states no required skill is "occupation only".
    runtime.ingestion.ingest_one(RecordKind.vacancy, vacancy(id="V-NONE", language="fr", title="Boulanger",
                                                             required_skills=[], description=None))  # fmt: skip
    matches = client.get("/vacancies/V-NONE/candidates", headers=bearer(tokens.consultant)).json()
    assert matches and {m["band"] for m in matches} == {"occupation_only"}
    page = _get(client, tokens.consultant, "/ui/vacancies/V-NONE", lang="nl")
    assert "Deze vacature vermeldt geen vereiste vaardigheid" in page and "enkel beroep" in page


def test_a_jobseeker_corrects_their_own_dossier_in_the_page_and_teaches_nothing(
    world: tuple[Runtime, Tokens, TestClient],
) -> None:
    runtime, tokens, client = world
    seen = _section(_get(client, tokens.jobseeker, "/ui/me"))
    assert "Métier de l&#39;intitulé" in seen and "Boulanger" in seen
    # Likely skills are shown as inferred from the occupation, never as held.
    assert "déduite du métier (probable, non déclarée)" in seen and "déclarée" in seen

    said = _post(client, tokens.jobseeker, "/ui/me/corrections", action="occupation", item="experiences[0]", uri=COOK)
    assert said.endswith("said=corrected_occupation#understood-h")  # a jobseeker's correction teaches nothing
    seen = _section(_get(client, tokens.jobseeker, said, lang="nl"))
    assert "Het beroep is bewaard." in seen and "bevestigd door een werkzoekende op" in seen
    assert runtime.linker.learned is not None and runtime.linker.learned.search() == []
    _post(client, tokens.jobseeker, "/ui/me/corrections", action="language", lang="en", level="B2")
    said = _post(client, tokens.jobseeker, "/ui/me/corrections", action="remove_skill", uri=KNEAD_FOOD)
    assert said.endswith("said=corrected_remove_skill#understood-h")
    data = runtime.corrections._stored(RecordKind.jobseeker, OWN_DOSSIER)[0]
    assert data["experiences"][0]["occupation_uri"] == COOK and data["languages"]["en"] == "B2"
    assert KNEAD_FOOD in data["excluded_skills"]
    assert [c["role"] for c in runtime.corrections.history(RecordKind.jobseeker, OWN_DOSSIER)] == ["jobseeker"] * 3
    # A jobseeker cannot reach another's dossier page, nor a forged word: the notice is a key of the words.
    assert client.get("/ui/jobseekers/J-PATISSIER", headers=bearer(tokens.jobseeker)).status_code == 403
    forged = _get(client, tokens.jobseeker, "/ui/me?said=Cliquez+ici")
    assert "Cliquez ici" not in forged


def test_a_consultant_corrects_a_dossier_and_an_admin_undoes_the_learned_link(
    world: tuple[Runtime, Tokens, TestClient],
) -> None:
    runtime, tokens, client = world
    seen = _section(_get(client, tokens.consultant, "/ui/jobseekers/J-PATISSIER", lang="nl"))
    assert "Wat de motor begreep" in seen and "Pâtissier" in seen
    said = _post(client, tokens.consultant, "/ui/jobseekers/J-PATISSIER/corrections", action="occupation",
                 item="experiences[0]", uri=PASTRY_MAKER)  # fmt: skip
    assert said.endswith("said=corrected_occupation_taught#understood-h")
    [link] = runtime.linker.learned.search() if runtime.linker.learned is not None else []
    admin = _get(client, tokens.admin, "/ui/admin/learned-links?q=patissier", lang="nl")
    assert "Aangeleerde koppelingen" in admin and f'id="ll-{link.id}"' in admin and "bevestigd" in admin
    assert f'id="ll-{link.id}"' not in _get(client, tokens.admin, "/ui/admin/learned-links?q=kok")
    said = _post(client, tokens.admin, f"/ui/admin/learned-links/{link.id}/undo")
    assert "saved=undone" in said
    page = _get(client, tokens.admin, said)
    assert "La correction est défaite" in page.replace("la correction est défaite", "La correction est défaite")
    assert "annulé le" in page
    data = runtime.corrections._stored(RecordKind.jobseeker, "J-PATISSIER")[0]
    assert "occupation_uri" not in data["experiences"][0] or data["experiences"][0]["occupation_uri"] is None
    assert "saved=already_undone" in _post(client, tokens.admin, f"/ui/admin/learned-links/{link.id}/undo")
