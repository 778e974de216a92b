"""Skills stated in ads and dossiers: sections, clauses, the word check, spans (real encoder, ESCO slice)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from matching.linking import LinkedConcept, Linker
from matching.linking.sections import Section
from matching.linking.skill_extraction import SkillExtractor, clauses, same_word
from matching.space import LANG_CODES
from tests import esco_uris as U

STOCK_SHELVES = U.SKILL + "7e9daad3-8604-4839-af9b-dc6f8db3ef68"  # remplir des rayons, rekken vullen
OPERATE_CASH_REGISTER = U.SKILL + "0cb013af-6dd9-4fb2-b34e-63dda1a5cf82"  # kassa's bedienen

# A Dutch ad as the public employment services publish them: title with "(m/v/x)", tasks, profile, offer.
DUTCH_AD = """Winkelmedewerker (m/v/x) - Supermarkt Anderlecht

Voor onze klant, een supermarkt in Anderlecht, zoeken we een gemotiveerde winkelmedewerker.

Jouw taken:
- Je vult de rekken aan (rekken vullen) en houdt de winkel netjes
- Je bedient de kassa: kassa's bedienen en klanten helpen

Jouw profiel:
- Je werkt graag in team
- Kennis van het Frans is een pluspunt

Wat bieden wij?
- Een vast contract van 38 uur, maaltijdcheques
- Solliciteer via onze website"""

NOISE = (
    "Rémunération selon expérience. Selon les horaires. Convention collective. Urgent !\n"
    "Notre client, une PME dynamique de la construction navale, recrute.\n"
    "Poste en CDI, temps plein. Envoyez votre CV."
)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("nettoyage", "nettoyer", True),
        ("desinfection", "desinfecter", True),
        ("rayons", "rayon", True),
        ("voeding", "voedingsmiddelen", False),
        ("repas", "repasser", False),
        ("vente", "vendre", False),
    ],
)
def test_same_word(a: str, b: str, same: bool) -> None:
    assert same_word(a, b) is same


def test_clauses_of_requirement_units_only() -> None:
    found = clauses(DUTCH_AD, "nl")
    texts = [c.text for c in found]
    assert "rekken vullen" in texts
    assert "kassa's bedienen" in texts
    assert all("maaltijdcheques" not in t and "Solliciteer" not in t and "supermarkt in" not in t for t in texts)
    for clause in found:
        assert DUTCH_AD[clause.start : clause.end] == clause.text
        assert clause.section.asks


def test_clause_without_frame() -> None:
    found = {c.text for c in clauses("Vous avez une bonne connaissance de la caisse enregistreuse.", "fr")}
    assert "caisse enregistreuse" in found


def test_dutch_ad_gives_its_skills_with_spans(slice_linker: Linker) -> None:
    found = slice_linker.skills.extract_many([DUTCH_AD], "nl")[0]
    by_uri = {h.uri: h for h in found}
    assert STOCK_SHELVES in by_uri and OPERATE_CASH_REGISTER in by_uri
    for hit in found:
        assert DUTCH_AD[hit.start : hit.end] == hit.source
        assert hit.section in (Section.tasks, Section.profile)
        assert 0 < hit.score <= 1


def test_pay_hours_contract_employer_and_applying_give_no_skill(slice_linker: Linker) -> None:
    assert slice_linker.skills.extract_many([NOISE], "fr") == [[]]


def test_a_shared_word_is_not_enough(slice_linker: Linker) -> None:
    # "utiliser un four de boulangerie" shares "four" and "boulangerie" with neither of these.
    found = slice_linker.skills.extract_many(["Le four est neuf.", "La boulangerie ouvre à 7 heures."], "fr")
    assert found == [[], []]


def test_skills_in_several_texts_equal_one_by_one(slice_linker: Linker) -> None:
    texts = [DUTCH_AD, "", "Vous savez utiliser un four de boulangerie et pétrir la pâte."]
    many = slice_linker.skills.extract_many(texts)
    assert [[h.uri for h in found] for found in many] == [
        [h.uri for h in slice_linker.skills.extract_many([t])[0]] for t in texts
    ]


FRENCH_AD = """Vendeur en boulangerie (H/F)

Vos missions :
- Accueillir et conseiller la clientèle, tenir la caisse enregistreuse
- Remplir les rayons, nettoyer la vitrine et le magasin
- Vous savez pétrir la pâte et faire du pain au levain

Votre profil : vous aimez le travail en équipe ; une première expérience en vente est un plus.
Rémunération selon expérience, CDI 35 heures."""


def test_the_best_coverage_of_a_clause_is_found_from_its_words(slice_linker: Linker) -> None:
    # The check that leaves a clause before the linker ranks it must find every label ``coverage`` would.
    extractor = slice_linker.skills
    words, index = extractor.words, extractor.index
    rows = np.arange(len(index.texts), dtype=np.int64)
    rng = random.Random(11)
    derived = [lambda w: w, lambda w: w + "s", lambda w: w[:-1] + "er", lambda w: w + "ment", lambda w: w[:6]]
    checked = covered = 0
    for _ in range(300):
        label_words = index.texts[rng.randrange(rows.size)].split()
        text = " ".join([rng.choice(derived)(w) for w in label_words[: rng.randint(1, 4)]] + rng.sample(words.words, 1))
        per_label = words.coverage(rows, text)
        for lang in (None, "fr", "nl", "en"):
            least = rng.choice([0.0, 7.5])
            eligible = words.information(rows) >= least
            code = LANG_CODES.get(lang) if lang else None
            if code is not None:
                eligible &= index.label_langs[rows] == code
            expected = float(per_label[eligible].max()) if eligible.any() else 0.0
            found = words.best_coverage(text, index.label_langs if code is not None else None, code, least)
            assert found == pytest.approx(expected, abs=1e-5), (text, lang, least)
            checked += 1
            covered += expected >= 0.8
    assert checked == 1200 and covered > 100
    # Many texts at once, each with its language, give what each gives alone.
    texts = [" ".join(index.texts[rng.randrange(rows.size)].split()[:3]) for _ in range(1100)] + ["", "zzqq"]
    codes = [rng.choice([None, *LANG_CODES.values()]) for _ in texts]
    together = words.best_coverage_many(texts, index.label_langs, codes, 7.5)
    alone = [
        words.best_coverage(t, index.label_langs if c is not None else None, c, 7.5)
        for t, c in zip(texts, codes, strict=True)
    ]
    assert together.tolist() == alone and together[-2:].tolist() == [0.0, 0.0]


def test_clauses_left_before_ranking_would_have_given_no_skill(
    slice_linker: Linker, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = [DUTCH_AD, FRENCH_AD, NOISE, "Je kunt brood bakken en deeg kneden.", "You can bake bread and knead dough."]
    # And phrases that hold part of a label's words, some in derived forms.
    labels = slice_linker.skills.index.texts
    rng = random.Random(5)
    for _ in range(150):
        label_words = labels[rng.randrange(len(labels))].split()
        kept = rng.sample(label_words, max(1, len(label_words) - rng.randint(0, 2)))
        texts.append(" ".join(w + "s" if rng.random() < 0.2 else w for w in kept))
    ranked: list[int] = []
    link_many = slice_linker.link_many

    def counting(phrases: Sequence[str], *args: Any, **kwargs: Any) -> list[list[LinkedConcept]]:
        ranked.append(len(phrases))
        return link_many(phrases, *args, **kwargs)

    monkeypatch.setattr(slice_linker, "link_many", counting)
    extractor = SkillExtractor(slice_linker, slice_linker.skills.config, slice_linker.knowledge)
    pruned = extractor.extract_many(texts)
    # Every clause that passes the lexical gate ranked, as before the check existed.
    monkeypatch.setattr(extractor, "_coverable", lambda pairs: [True] * len(pairs))
    everything = extractor.extract_many(texts)
    assert pruned == everything and sum(map(len, pruned)) >= 6
    assert ranked[0] < ranked[1]
