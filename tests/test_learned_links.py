"""Learned links: a consultant's verdict on a phrase -> concept link is remembered and laid over the linker's ranking
for the same phrase (as the linker normalises it), visibly and reversibly."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from matching.linking import InvalidLearnedLink, LearnedLink, LearnedLinks, Linker, UnknownLearnedLink, Verdict
from matching.linking.learned import create_tables, summarise
from skillmatch.db import make_engine
from tests.esco_uris import BAKE_GOODS, BAKER, COOK, KNEAD_FOOD, PASTRY_MAKER

TITLE = "Ouvrier boulanger (H/F)"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LearnedLinks]:
    engine = make_engine(f"sqlite:///{tmp_path / 'learned.db'}")
    create_tables(engine)
    yield LearnedLinks(engine, refresh_seconds=0)
    engine.dispose()


@pytest.fixture
def linker(slice_linker: Linker, store: LearnedLinks) -> Iterator[Linker]:
    """The session's slice linker with a store of learned links of the test's own (put back after)."""
    before = slice_linker.learned
    slice_linker.learned = store
    yield slice_linker
    slice_linker.learned = before


def _teach(
    linker: Linker, text: str, uri: str, verdict: Verdict = Verdict.confirmed, kind: str = "occupation"
) -> LearnedLink:
    proposed = [c.uri for c in linker.link(text, kind, k=5)]  # type: ignore[arg-type]
    return linker.learn(text, kind, uri, verdict, proposed=proposed, actor="user:1", role="consultant")  # type: ignore[arg-type]


def test_a_confirmed_occupation_comes_first_for_the_same_title_with_its_evidence(linker: Linker) -> None:
    before = [c.uri for c in linker.link(TITLE, "occupation", k=5)]
    assert before[0] != PASTRY_MAKER
    link = _teach(linker, TITLE, PASTRY_MAKER)
    assert link.proposed == before[:5] and link.phrase_key == linker.phrase_key(TITLE, "occupation")
    after = linker.link(TITLE, "occupation", k=5)
    assert after[0].uri == PASTRY_MAKER
    assert after[0].learned_link == link.id and after[0].confirmed_on == date.today().isoformat()
    assert after[0].score > after[1].score  # scores never increase down the list
    assert [c.uri for c in after[1:]] == [u for u in before if u != PASTRY_MAKER][:4]
    # A title read with its text gets it first too, with full confidence.
    [with_text] = linker.link_titles([TITLE], ["Vous préparez le pain et les viennoiseries."], k=3)
    assert with_text[0].uri == PASTRY_MAKER and with_text[0].confidence == 1.0


@pytest.mark.parametrize(
    "variant",
    [
        "OUVRIER BOULANGER - Bruxelles",
        "ouvrier  boulanger",
        "Ouvrier boulanger F/H - réf 2291",
        "CDI Ouvrier boulanger",
    ],
)
def test_close_variants_of_the_title_benefit(linker: Linker, variant: str) -> None:
    _teach(linker, TITLE, PASTRY_MAKER)
    assert linker.link(variant, "occupation", k=3)[0].uri == PASTRY_MAKER


@pytest.mark.parametrize("other", ["ouvrier boulanger de nuit", "Boulanger", "Ouvrier"])
def test_another_title_does_not(linker: Linker, other: str) -> None:
    _teach(linker, TITLE, PASTRY_MAKER)
    assert all(c.learned_link is None for c in linker.link(other, "occupation", k=5))


def test_a_rejected_link_is_not_proposed_again_for_that_phrase(linker: Linker) -> None:
    assert BAKER in [c.uri for c in linker.link("Boulanger", "occupation", k=10)]
    _teach(linker, "Boulanger", BAKER, Verdict.rejected)
    assert BAKER not in [c.uri for c in linker.link("BOULANGER (H/F)", "occupation", k=10)]
    assert BAKER in [c.uri for c in linker.link("Bakker", "occupation", k=10)]  # another phrase


def test_undoing_a_link_puts_the_ranking_back(linker: Linker, store: LearnedLinks) -> None:
    before = [c.uri for c in linker.link(TITLE, "occupation", k=5)]
    link = _teach(linker, TITLE, PASTRY_MAKER)
    undone = store.undo(link.id, "user:9")
    assert undone.undone_by == "user:9" and undone.undone_at is not None
    assert [c.uri for c in linker.link(TITLE, "occupation", k=5)] == before
    with pytest.raises(InvalidLearnedLink, match="already undone"):
        store.undo(link.id, "user:9")
    with pytest.raises(UnknownLearnedLink):
        store.undo(link.id + 100, "user:9")
    assert [x.id for x in store.search(undone=True)] == [link.id]
    assert store.search(undone=False) == []


def test_skills_learn_per_phrase_and_extraction_keeps_a_taught_skill(linker: Linker) -> None:
    phrase = "Travail de la pâte à la main"
    _teach(linker, phrase, KNEAD_FOOD, kind="skill")
    assert linker.link("travail de la pâte à la main", "skill", k=3)[0].uri == KNEAD_FOOD
    text = "Profil recherché : travail de la pâte à la main, rigueur."
    found = {h.uri: h for h in linker.skills.extract_many([text], "fr")[0]}
    assert KNEAD_FOOD in found and found[KNEAD_FOOD].learned_link is not None
    _teach(linker, phrase, KNEAD_FOOD, Verdict.rejected, kind="skill")  # the newest verdict counts
    assert KNEAD_FOOD not in {h.uri for h in linker.skills.extract_many([text], "fr")[0]}


def test_learning_needs_a_known_concept_of_the_kind_and_words(linker: Linker) -> None:
    with pytest.raises(InvalidLearnedLink, match="not an ESCO occupation"):
        _teach(linker, TITLE, BAKE_GOODS)
    with pytest.raises(InvalidLearnedLink, match="words"):
        _teach(linker, "(H/F) - 75", BAKER)


def test_another_process_sees_a_verdict_at_its_next_refresh(linker: Linker, store: LearnedLinks) -> None:
    other = LearnedLinks(store.engine, refresh_seconds=3600)
    assert other.verdicts("occupation", linker.phrase_key(TITLE, "occupation")).confirmed == ()
    _teach(linker, TITLE, COOK)
    assert other.verdicts("occupation", linker.phrase_key(TITLE, "occupation")).confirmed == ()  # not yet
    other.refresh_seconds = 0
    [confirmed] = other.verdicts("occupation", linker.phrase_key(TITLE, "occupation")).confirmed
    assert confirmed.uri == COOK


def _link(i: int, uri: str, verdict: Verdict, undone: bool = False) -> LearnedLink:
    at = datetime(2026, 12, i, tzinfo=UTC)
    return LearnedLink(
        i, "occupation", "boulanger", "Boulanger", "fr", uri, verdict, [], "user:1", "consultant", None, None, at,
        at if undone else None, "user:2" if undone else None,
    )  # fmt: skip


def test_per_concept_the_newest_verdict_counts_and_most_confirmed_comes_first() -> None:
    verdicts = summarise(
        [
            _link(1, BAKER, Verdict.confirmed),
            _link(2, COOK, Verdict.confirmed),
            _link(3, PASTRY_MAKER, Verdict.confirmed),
            _link(4, BAKER, Verdict.confirmed),
            _link(5, COOK, Verdict.rejected),
            _link(6, PASTRY_MAKER, Verdict.rejected, undone=True),
        ]
    )[("occupation", "boulanger")]
    assert [(c.uri, c.count, c.link_id) for c in verdicts.confirmed] == [(BAKER, 2, 4), (PASTRY_MAKER, 1, 3)]
    assert verdicts.rejected == {COOK}


def test_the_table_is_made_by_the_migrations(sqlite_slice_template: Path) -> None:
    from sqlalchemy import inspect

    engine: Engine = make_engine(f"sqlite:///{sqlite_slice_template}")
    assert {"learned_link", "record_correction"} <= set(inspect(engine).get_table_names())
    engine.dispose()
