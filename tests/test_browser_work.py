"""The daily work in a real headless Chromium (Debian's), over one server for the module: a consultant pins and
excludes candidates and finds them so after a reload, pages through and searches the vacancy list, looks up a
person who is not listed; a jobseeker says they are interested (the consultant's queue shows it), exports,
opts out and erases their dossier; an administrator runs the exposure audit with its progress and disables a
user who then cannot sign in. axe-core finds no serious or critical violation on the pages visited.

Last, every page of the app's routes in French and in Dutch, with their error, flag, audit and empty states,
holds no English word and no raw catalogue key (``tests/english.py``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi.routing import iter_route_contexts

from api.auth import Role, route_rule
from tests.auth import bearer
from tests.browser import assert_accessible, browser, sign_in
from tests.english import PAGE_TEXT, english_words, raw_keys
from tests.work_site import FLAGGED, VACANCY, WorkSite, make_work_site

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(slice_runtime: Any, esco_slice_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorkSite]:
    yield from make_work_site(slice_runtime, esco_slice_dir, tmp_path_factory)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with browser() as b:
        yield b


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(accept_downloads=True, locale="fr-BE")
    page = context.new_page()
    yield page
    context.close()


def _ids(page: Any) -> list[str]:
    return [t.split()[0] for t in page.locator("ol.results > li h3").all_inner_texts()]


def test_consultant_pins_and_excludes_then_reloads(site: WorkSite, page: Any) -> None:
    sign_in(page, site.base, site.tokens.consultant)
    page.goto(f"{site.base}/ui/vacancies/{VACANCY}")
    engine_order = _ids(page)
    n = site.jobseekers
    assert len(engine_order) == n and page.locator("#count").inner_text().startswith(f"{n} candidats affichés sur {n}")
    first, last = engine_order[0], engine_order[-1]

    page.get_by_text(f"Exclure {first}", exact=True).click()  # the <summary> opens the form
    # An exclusion without a reason is not sent (the field is required) ...
    page.get_by_role("button", name=f"Exclure de la liste {first}").click()
    assert page.url.endswith(f"/ui/vacancies/{VACANCY}")
    # ... and the server refuses one too.
    refused = httpx.post(
        f"{site.base}/ui/vacancies/{VACANCY}/decisions", headers=bearer(site.tokens.consultant),
        data={"jobseeker_id": first, "action": "exclude", "reason": " "},
    )  # fmt: skip
    assert "saved=reason_needed" in refused.headers["location"]
    page.get_by_label("Raison (obligatoire)").first.fill("a trouvé un emploi")
    with page.expect_navigation():
        page.get_by_role("button", name=f"Exclure de la liste {first}").click()
    assert page.get_by_role("status").first.inner_text().startswith("Le candidat est exclu")

    page.get_by_text(f"Épingler {last}", exact=True).click()
    with page.expect_navigation():
        page.get_by_role("button", name=f"Épingler en tête {last}").click()
    page.reload()
    shown = _ids(page)
    assert shown[0] == last and first not in shown
    assert page.locator("ol.results > li").first.locator(".tag", has_text="épinglé").count() == 1
    excluded = page.locator("section[aria-labelledby=excluded-h]").inner_text()
    assert first in excluded and "a trouvé un emploi" in excluded
    assert_accessible(page)
    # The API's list as shown agrees with the page.
    api = httpx.get(f"{site.base}/oversight/vacancies/{VACANCY}/candidates", headers=bearer(site.tokens.consultant))
    assert [c["id"] for c in api.json()["candidates"]][0] == last

    with page.expect_navigation():
        page.get_by_role("button", name=f"Réintégrer {first}").click()
    with page.expect_navigation():
        page.get_by_role("button", name=f"Retirer l'épinglage {last}").click()
    assert _ids(page) == engine_order


def test_consultant_pages_and_searches_the_vacancy_list(site: WorkSite, page: Any) -> None:
    sign_in(page, site.base, site.tokens.consultant, lang="nl")
    assert page.locator("#count").inner_text() == f"{site.open_vacancies} vacatures"
    rows = page.locator("table.grid tbody tr")
    assert rows.count() == 25
    assert page.get_by_text("Pagina 1 van 2").is_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="Volgende pagina").click()
    assert rows.count() == site.open_vacancies - 25 and page.get_by_text("Pagina 2 van 2").is_visible()
    assert_accessible(page)

    page.get_by_label("Nummer, functietitel, beroep of werkgever").fill("v-page-07")
    with page.expect_navigation():
        page.get_by_role("button", name="Zoeken", exact=True).click()
    assert page.locator("#count").inner_text() == "1 vacature" and "V-PAGE-07" in rows.first.inner_text()
    # By occupation (the title was linked to ESCO "baker"), in the reader's language, and by employer.
    for query, expected in (("bakker", None), ("E-0042", None), ("zzz-nothing", 0)):
        page.get_by_label("Nummer, functietitel, beroep of werkgever").fill(query)
        with page.expect_navigation():
            page.get_by_role("button", name="Zoeken", exact=True).click()
        count = int(page.locator("#count").inner_text().split()[0])
        assert count == expected if expected is not None else count >= 1, query
    page.get_by_label("Nummer, functietitel, beroep of werkgever").fill("")
    page.get_by_label("Sorteren op").select_option("flags")
    with page.expect_navigation():
        page.get_by_role("button", name="Zoeken", exact=True).click()
    assert FLAGGED in rows.first.inner_text()  # most flags first


def test_consultant_looks_up_a_candidate_who_is_not_listed(site: WorkSite, page: Any) -> None:
    sign_in(page, site.base, site.tokens.consultant)
    page.goto(f"{site.base}/ui/vacancies/{VACANCY}?nl=B2")
    assert "J-BAKER-A2" not in _ids(page)
    page.get_by_label("Numéro de dossier").fill("J-BAKER-A2")
    with page.expect_navigation():
        page.get_by_role("button", name="Voir ce candidat").click()
    found = page.locator("section.lookup")
    assert "Ne remplit pas un filtre : Niveau minimum (NL)" in found.inner_text().replace("\u00a0", " ")
    assert found.locator("meter").count() >= 1 and found.locator(".chip").count() >= 1  # scored and explained
    assert page.get_by_label("Niveau minimum (NL)").input_value() == "B2"  # the filters stay
    assert_accessible(page)

    page.goto(f"{site.base}/ui/vacancies/{VACANCY}?k=1&who=J-BAKER-A2")
    text = page.locator("section.lookup").inner_text()
    assert "sous les 1 candidats affichés" in text and "Score" in text
    page.goto(f"{site.base}/ui/vacancies/{VACANCY}?who=NOPE123")
    assert page.locator("section.lookup").inner_text().endswith("Aucun dossier ne porte ce numéro.")


def test_jobseeker_is_interested_and_the_consultant_sees_it(site: WorkSite, page: Any) -> None:
    sign_in(page, site.base, site.tokens.jobseeker)
    with page.expect_navigation():
        page.locator("section[aria-labelledby=sugg-h] h3 a").first.click()
    vacancy_id = page.url.rsplit("/", 1)[1]
    assert page.get_by_role("heading", name="L'offre").is_visible()
    details = page.locator("dl").inner_text()
    assert "Employeur\nE-" in details and "contrat à durée indéterminée, temps plein" in details
    assert page.locator("ul.why > li").count() >= 1  # never an empty why
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Cette offre m'intéresse").click()
    assert page.get_by_role("status").inner_text().startswith("C'est noté")

    consultant = page.context.browser.new_context(locale="fr-BE").new_page()
    sign_in(consultant, site.base, site.tokens.consultant)
    with consultant.expect_navigation():
        consultant.get_by_role("link", name="À traiter").click()
    queue = consultant.locator("section[aria-labelledby=interests-h]").inner_text()
    assert "J-BAKER-FR" in queue and vacancy_id in queue
    assert_accessible(consultant)
    with consultant.expect_navigation():
        consultant.get_by_role("link", name=f"Voir le candidat pour cette offre J-BAKER-FR {vacancy_id}").click()
    assert consultant.locator("section.lookup h2").inner_text().endswith("J-BAKER-FR")
    consultant.context.close()


def test_jobseeker_exports_opts_out_and_erases(site: WorkSite, page: Any) -> None:
    sign_in(page, site.base, site.rights_token)
    with page.expect_navigation():
        page.get_by_role("link", name="Mes droits et mes progrès").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger mes données").click()
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert exported["jobseeker_id"] == site.rights_dossier and exported["dossier"]["id"] == site.rights_dossier

    def listed() -> bool:
        shown = httpx.get(
            f"{site.base}/oversight/vacancies/{VACANCY}/candidates", headers=bearer(site.tokens.consultant)
        ).json()
        return site.rights_dossier in [c["id"] for c in shown["candidates"]]

    assert listed()
    with page.expect_navigation():  # without the confirmation box ticked, nothing happens (and it is said)
        page.locator("form[action='/ui/me/opt-out'] button").evaluate("b => b.form.submit()")
    assert page.get_by_role("status").inner_text() == "Cochez d'abord la confirmation pour continuer."
    page.get_by_label("Je ne veux plus être proposé aux employeurs.").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Ne plus être proposé").click()
    assert page.get_by_role("status").inner_text().startswith("C'est noté : vous ne serez plus proposé")
    assert not listed()
    assert_accessible(page)

    page.get_by_label("Je comprends que l'effacement est définitif.").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Effacer définitivement mon dossier").click()
    assert page.url.split("?")[0].endswith("/login")
    assert page.get_by_role("status").inner_text() == "Votre dossier a été effacé. Vous avez été déconnecté."
    gone = httpx.get(f"{site.base}/jobseekers/{site.rights_dossier}", headers=bearer(site.tokens.consultant))
    assert gone.status_code == 404


def test_admin_runs_the_audit_with_progress_and_disables_a_user(site: WorkSite, page: Any) -> None:
    sign_in(page, site.base, site.tokens.admin, lang="nl")
    with page.expect_navigation():
        page.get_by_role("link", name="Blootstelling per groep").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Audit nu uitvoeren").click()
    job = page.locator("div.job")
    assert job.is_visible()
    page.reload()  # the run goes on, and the page still shows it (its progress is in the database)
    page.locator("div.job.succeeded").wait_for(timeout=120_000)
    with page.expect_navigation():
        page.locator("div.job a").click()
    assert page.get_by_role("cell", name="vrouwen").first.is_visible()  # groups in the reader's words
    assert_accessible(page)

    with page.expect_navigation():
        page.get_by_role("link", name="Gebruikers").click()
    with page.expect_navigation():
        page.get_by_role("button", name=f"Deactiveren {site.disabled_name}").click()
    assert page.get_by_role("status").inner_text().startswith("Het account is gedeactiveerd")
    assert_accessible(page)

    other = page.context.browser.new_context(locale="nl-BE").new_page()
    sign_in(other, site.base, site.disabled_token, lang="nl")
    assert other.url.split("?")[0].endswith("/login")
    assert other.get_by_role("alert").inner_text() == "Gelieve u aan te melden."
    other.context.close()


def _pages(site: WorkSite) -> list[tuple[str, Role | None]]:
    """Every GET page of the app (path parameters filled with records of the site) and the role that opens it,
    then the states the routes alone do not reach: errors, flags, lookups, confirmations, empty lists."""
    job = site.app.state.jobs.latest(None, 1)
    values = {"vacancy_id": FLAGGED, "jobseeker_id": "J-BAKER-NL", "job_id": str(job[0].id) if job else "1"}
    pages: list[tuple[str, Role | None]] = []
    for route in iter_route_contexts(site.app.routes):
        path = getattr(route, "path", "")
        if "GET" not in (getattr(route, "methods", None) or ()) or not path.startswith(("/ui", "/login")):
            continue
        if path.endswith((".csv", "/export")):
            continue  # files, not pages
        rule = route_rule(route)
        assert rule is not None, path
        role = None if rule.public else sorted(rule.roles)[0] if rule.roles else Role.jobseeker
        url = path
        for name, value in values.items():
            url = url.replace("{" + name + "}", value)
        if path == "/ui/me/vacancies/{vacancy_id}":
            url = f"/ui/me/vacancies/{VACANCY}"
        pages.append((url + ("?q=bak" if path.endswith(("/typeahead/skills", "/typeahead/occupations")) else ""), role))
    skill = quote(site.runtime.engine.store.get(_jobseeker_kind(), "J-BAKER-FR").skills[0].uri)  # type: ignore[union-attr]
    c, j, a = Role.consultant, Role.jobseeker, Role.admin
    pages += [
        ("/ui/vacancies/NOPE123", c), ("/ui/nothing-here", c), ("/ui/admin/users", c), ("/ui/vacancies?page=0", c),
        ("/ui/me/erase", j), ("/ui/me", None), ("/login?done=erased", None),
        ("/ui/vacancies?q=zzzz", c), ("/ui/vacancies?status=all&sort=flags", c), ("/ui/queue", c),
        (f"/ui/vacancies/{VACANCY}?who=J-BAKER-A2&nl=B2", c), (f"/ui/vacancies/{VACANCY}?who=J-BAKER-A2&k=1", c),
        (f"/ui/vacancies/{VACANCY}?who=NOPE123&saved=pin", c), (f"/ui/vacancies/{VACANCY}?saved=reason_needed", c),
        ("/ui/vacancies/V-PAGE-29", c), (f"/ui/vacancies/{VACANCY}/shortlist?saved=status&who=J-BAKER-NL", c),
        (f"/ui/me?said=linked&at=0&skill={skill}", j), ("/ui/me?said=kept_as_text&at=0", j),
        ("/ui/me/progress?said=confirm_needed", j), (f"/ui/me/vacancies/{FLAGGED}?said=interested", j),
        ("/ui/admin/audit?actor=nobody", a), ("/ui/admin/audit", a), ("/ui/admin/exposure", a), ("/ui/admin/runs", a),
        ("/ui/admin/users?saved=disabled", a),
        (f"/ui/vacancies/{VACANCY}?said=corrected_occupation_taught", c), ("/ui/me?said=corrected_language", j),
        ("/ui/jobseekers/J-BAKER-NL?said=correction_invalid", c), ("/ui/typeahead/skills?pick=1&q=zzzz", c),
        ("/ui/typeahead/occupations?q=zzzz", c), ("/ui/admin/learned-links?saved=undone&undone=all", a),
        ("/ui/admin/learned-links?q=zzzz", a),
    ]  # fmt: skip
    return pages


def _jobseeker_kind() -> Any:
    from matching.profiles import ProfileKind

    return ProfileKind.jobseeker


def test_every_page_in_french_and_dutch_has_no_english(site: WorkSite, chromium: Any) -> None:
    httpx.post(
        f"{site.base}/vacancies/V-PAGE-29/close", headers=bearer(site.tokens.consultant)
    ).raise_for_status()  # a closed vacancy's page
    tokens = {
        Role.consultant: site.tokens.consultant,
        Role.jobseeker: site.tokens.jobseeker,
        Role.admin: site.tokens.admin,
    }
    pages = _pages(site)
    assert len(pages) > 40
    problems: dict[str, list[str]] = {}
    for lang in ("fr", "nl"):
        contexts: dict[Role | None, Any] = {}
        for role in (None, *tokens):
            context = chromium.new_context(locale=f"{lang}-BE")
            if role is not None:
                sign_in(context.new_page(), site.base, tokens[role], lang)
            contexts[role] = context
        for url, role in pages:
            page = contexts[role].pages[0] if contexts[role].pages else contexts[role].new_page()
            page.goto(f"{site.base}{url}{'&' if '?' in url else '?'}lang={lang}")
            text = page.evaluate(PAGE_TEXT)
            found = raw_keys(text) + english_words(text, lang)
            if found:
                problems[f"{lang} {url}"] = found
        for context in contexts.values():
            context.close()
    assert problems == {}, json.dumps(problems, ensure_ascii=False, indent=1)


def _scores(page: Any) -> list[tuple[str, str]]:
    ids = _ids(page)
    return list(zip(ids, page.locator("ol.results > li .score strong").all_inner_texts(), strict=True))


def _paste(page: Any, base: str, title: str) -> str:
    page.goto(f"{base}/ui/vacancies")
    page.locator("#v-title").fill(title)
    page.locator("#v-lang").select_option("fr")
    page.get_by_label("Code postal").fill("1000")
    page.locator("#v-description").fill("Vous savez pétrir des denrées alimentaires. Vous parlez néerlandais.")
    with page.expect_navigation():
        page.get_by_role("button", name="Créer et chercher des candidats").click()
    return str(page.url.split("/ui/vacancies/")[1].split("?")[0])


def test_consultant_confirms_another_occupation_the_engine_learns_and_an_admin_undoes_it(
    site: WorkSite, page: Any, chromium: Any
) -> None:
    sign_in(page, site.base, site.tokens.consultant)
    first = _paste(page, site.base, "Ouvrier boulanger (H/F)")
    seen = page.locator("#understood")
    assert seen.get_by_role("heading", name="Ce que le moteur a compris").is_visible()
    proposed = seen.locator("ol.proposals > li .proposal").all_inner_texts()
    assert 1 <= len(proposed) <= 5 and proposed[0].startswith("boulanger") and len(set(proposed)) == len(proposed)
    assert seen.get_by_text("lue dans le texte").first.is_visible()  # a skill read from the ad, with its words
    before = _scores(page)
    assert before and page.locator("ol.results .band").count() == len(before)
    assert_accessible(page)

    # Another occupation, found with the typeahead: one click stores it and the candidates change at once.
    seen.get_by_label("Un autre métier (recherche ESCO)").fill("cuisin")
    option = page.get_by_role("button", name=re.compile(r"^Choisir.*cuisinier"))
    option.first.wait_for()
    with page.expect_navigation():
        option.first.click()
    assert "le même intitulé sera d'abord proposé avec ce métier" in page.get_by_role("status").first.inner_text()
    assert "cuisinier" in seen.locator("p.chosen").inner_text()
    after = _scores(page)
    assert after != before

    # The same title pasted again is proposed with the confirmed occupation first, said so.
    second = _paste(page, site.base, "OUVRIER BOULANGER - h/f")
    top = page.locator("#understood ol.proposals > li").first
    assert top.locator(".proposal").inner_text().startswith("cuisinier")
    assert "confirmé par un conseiller le" in top.inner_text()

    # An administrator finds the learned link and undoes it: the first vacancy is back as it was.
    admin = chromium.new_context(locale="fr-BE").new_page()
    sign_in(admin, site.base, site.tokens.admin)
    admin.goto(f"{site.base}/ui/admin/learned-links?q=boulanger")
    row = admin.locator("#learned tbody tr").first
    assert "cuisinier" in row.inner_text() and "confirmé" in row.inner_text()
    assert_accessible(admin)
    admin.once("dialog", lambda dialog: dialog.accept())
    with admin.expect_navigation():
        row.get_by_role("button", name=re.compile("^Annuler ce lien")).click()
    assert admin.get_by_role("status").first.inner_text().startswith("Le lien est annulé")
    assert "annulé le" in admin.locator("#learned tbody tr").first.inner_text()
    admin.context.close()
    page.goto(f"{site.base}/ui/vacancies/{first}")
    assert page.locator("#understood p.chosen").count() == 0 and _scores(page) == before
    for pasted in (first, second):  # the other tests count the open vacancies
        httpx.post(f"{site.base}/vacancies/{pasted}/close", headers=bearer(site.tokens.consultant)).raise_for_status()


def test_jobseeker_corrects_their_own_dossier_in_dutch(site: WorkSite, page: Any) -> None:
    sign_in(page, site.base, site.tokens.jobseeker, lang="nl")
    seen = page.locator("#understood")
    assert seen.get_by_role("heading", name="Wat de motor begreep").is_visible()
    assert seen.get_by_text("afgeleid uit het beroep (waarschijnlijk, niet opgegeven)").first.is_visible()
    seen.locator("#set-lang").select_option("en")
    seen.locator("#set-level").select_option("B2")
    with page.expect_navigation():
        seen.get_by_role("button", name="Niveau bewaren").click()
    assert page.get_by_role("status").first.inner_text() == "Het taalniveau is bewaard."
    assert "Engels B2" in seen.inner_text()
    inferred = seen.locator("li.skill-inferred").first
    name = inferred.locator("> span").first.inner_text().split("\n")[0].strip()
    with page.expect_navigation():
        inferred.get_by_role("button", name=re.compile("^Vaardigheid verwijderen")).click()
    assert "noch de tekst noch het beroep brengt ze terug" in page.get_by_role("status").first.inner_text()
    assert name not in [t.split("\n")[0].strip() for t in seen.locator("li.skill-inferred > span").all_inner_texts()]
    assert site.runtime.linker.learned is not None
    assert all(link.role != "jobseeker" for link in site.runtime.linker.learned.search())
    assert_accessible(page)
