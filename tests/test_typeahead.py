"""The typeahead over ESCO labels: its stored index answers as the one it builds, and a stale, unreadable or
unwritable store costs a build, never a wrong answer."""

from __future__ import annotations

import logging
import pickle
from pathlib import Path

import pytest

from api.typeahead import Typeahead
from esco_data import ConceptKind, Taxonomy
from tests import esco_uris as U

QUERIES = [
    ("boul", ConceptKind.occupation, "fr"),
    ("bakk", ConceptKind.occupation, "nl"),
    ("pâte", ConceptKind.skill, "fr"),
    ("deeg", ConceptKind.skill, "nl"),
    ("cash", ConceptKind.skill, "en"),
    ("comptab", ConceptKind.occupation, "fr"),
    ("zzzz", ConceptKind.skill, "fr"),
]


class CountingTypeahead(Typeahead):
    """A typeahead that counts its builds (reading the store is not one)."""

    builds = 0

    def _build(self):  # type: ignore[no-untyped-def]
        type(self).builds += 1
        return super()._build()


def answers(typeahead: Typeahead) -> list[list[tuple[str, str, str, bool]]]:
    return [[(s.uri, s.label, s.lang, s.preferred) for s in typeahead.search(q, k, lang)] for q, k, lang in QUERIES]


def test_a_stored_index_answers_as_the_built_one_and_is_read_not_built(
    slice_taxonomy: Taxonomy, tmp_path: Path
) -> None:
    built = Typeahead(slice_taxonomy)
    expected = answers(built)
    assert expected[0][0][0] == U.BAKER and not expected[-1]
    store = tmp_path / "typeahead.pickle"
    CountingTypeahead.builds = 0
    first = CountingTypeahead(slice_taxonomy, store=store)
    assert answers(first) == expected and CountingTypeahead.builds == 1 and store.exists()
    second = CountingTypeahead(slice_taxonomy, store=store)
    assert answers(second) == expected and CountingTypeahead.builds == 1  # read, not built


def test_a_store_of_another_release_or_format_is_rebuilt(slice_taxonomy: Taxonomy, tmp_path: Path) -> None:
    store = tmp_path / "typeahead.pickle"
    expected = answers(Typeahead(slice_taxonomy, store=store))
    key, indexes = pickle.loads(store.read_bytes())
    for other in ({**key, "checksum": "another release"}, {**key, "format": key["format"] + 1}):
        store.write_bytes(pickle.dumps((other, {})))  # an empty index: answering from it would find nothing
        CountingTypeahead.builds = 0
        assert answers(CountingTypeahead(slice_taxonomy, store=store)) == expected
        assert CountingTypeahead.builds == 1
        assert pickle.loads(store.read_bytes())[0] == key  # replaced by this release's index


def test_an_unreadable_store_is_rebuilt_with_a_warning(
    slice_taxonomy: Taxonomy, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    expected = answers(Typeahead(slice_taxonomy))
    store = tmp_path / "typeahead.pickle"
    store.write_bytes(b"not a pickle")
    with caplog.at_level(logging.WARNING, logger="api.typeahead"):
        assert answers(Typeahead(slice_taxonomy, store=store)) == expected
    assert "cannot be read" in caplog.text


def test_a_store_that_cannot_be_written_only_costs_the_next_build(
    slice_taxonomy: Taxonomy, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    expected = answers(Typeahead(slice_taxonomy))
    (tmp_path / "a-file").write_text("not a folder")
    store = tmp_path / "a-file" / "typeahead.pickle"
    with caplog.at_level(logging.WARNING, logger="api.typeahead"):
        assert answers(Typeahead(slice_taxonomy, store=store)) == expected
    assert "could not store" in caplog.text and not store.exists()
