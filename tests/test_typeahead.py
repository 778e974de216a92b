"""The typeahead over ESCO labels: its stored index answers as the one it builds, and a stale, unreadable or
unwritable store costs a build, never a wrong answer."""

from __future__ import annotations

import json
import logging
import mmap
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


def test_a_stored_index_answers_as_the_built_one_and_is_mapped_not_built(
    slice_taxonomy: Taxonomy, tmp_path: Path
) -> None:
    built = Typeahead(slice_taxonomy)
    expected = answers(built)
    assert expected[0][0][0] == U.BAKER and not expected[-1]
    store = tmp_path / "typeahead"
    legacy = tmp_path / "typeahead.pickle"  # the previous format's file goes once the folder is written
    legacy.write_bytes(b"format 2")
    CountingTypeahead.builds = 0
    first = CountingTypeahead(slice_taxonomy, store=store)
    assert answers(first) == expected and CountingTypeahead.builds == 1
    assert (store / "manifest.json").exists() and not legacy.exists()
    second = CountingTypeahead(slice_taxonomy, store=store)
    assert answers(second) == expected and CountingTypeahead.builds == 1  # read, not built
    assert second._indexes is not None
    index = next(iter(second._indexes.values()))
    assert isinstance(index.keys.blob, mmap.mmap) and not index.ranks.flags.owndata and not index.ranks.flags.writeable


def test_a_store_of_other_labels_or_format_is_rebuilt(slice_taxonomy: Taxonomy, tmp_path: Path) -> None:
    store = tmp_path / "typeahead"
    expected = answers(Typeahead(slice_taxonomy, store=store))
    manifest = json.loads((store / "manifest.json").read_text())
    key = manifest["key"]
    others = ({**key, "checksum": "another release"}, {**key, "format": key["format"] + 1}, {**key, "labels": "x"})
    for other in others:
        # The same arrays under another key: answering from them would name labels of other rows.
        (store / "manifest.json").write_text(json.dumps({**manifest, "key": other}))
        CountingTypeahead.builds = 0
        assert answers(CountingTypeahead(slice_taxonomy, store=store)) == expected
        assert CountingTypeahead.builds == 1
        assert json.loads((store / "manifest.json").read_text())["key"] == key  # replaced by this index


@pytest.mark.parametrize("damage", ["manifest", "array", "missing"])
def test_an_unreadable_store_is_rebuilt_with_a_warning(
    slice_taxonomy: Taxonomy, tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: str
) -> None:
    store = tmp_path / "typeahead"
    expected = answers(Typeahead(slice_taxonomy, store=store))
    if damage == "manifest":
        (store / "manifest.json").write_text("not json")
    elif damage == "array":
        next(store.glob("*.ranks.npy")).write_bytes(b"not an array")
    else:
        next(store.glob("*.keys")).unlink()
    with caplog.at_level(logging.WARNING, logger="api.typeahead"):
        assert answers(Typeahead(slice_taxonomy, store=store)) == expected
    assert "cannot be read" in caplog.text


def test_a_store_that_cannot_be_written_only_costs_the_next_build(
    slice_taxonomy: Taxonomy, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    expected = answers(Typeahead(slice_taxonomy))
    (tmp_path / "a-file").write_text("not a folder")
    store = tmp_path / "a-file" / "typeahead"
    with caplog.at_level(logging.WARNING, logger="api.typeahead"):
        assert answers(Typeahead(slice_taxonomy, store=store)) == expected
    assert "could not store" in caplog.text and not store.exists()
