"""Strings in arrays: a column is a sequence of its strings; a sorted set numbers and finds them."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from esco_data.strings import SortedStrings, StringColumn


def test_strings_are_numbered_in_order_and_found() -> None:
    strings, numbers = SortedStrings.numbered(["kok", "bakker", "boulangère", "kok", "boulanger", ""])
    assert [strings[i] for i in range(len(strings))] == ["", "bakker", "boulanger", "boulangère", "kok"]
    assert numbers.tolist() == [4, 1, 3, 4, 2, 0]
    assert [strings.find(t) for t in ("kok", "bakker", "boulangère", "", "boulangerie", "a", "zz")] == [
        4,
        1,
        3,
        0,
        -1,
        -1,
        -1,
    ]


def test_an_empty_set_finds_nothing() -> None:
    strings, numbers = SortedStrings.numbered([])
    assert len(strings) == 0 and numbers.size == 0
    assert strings.find("kok") == -1


@given(st.lists(st.text(max_size=8), max_size=30), st.lists(st.text(max_size=8), max_size=10))
def test_agrees_with_a_python_set(texts: list[str], probes: list[str]) -> None:
    strings, numbers = SortedStrings.numbered(texts)
    assert len(strings) == len(set(texts))
    assert [strings[int(n)] for n in numbers] == texts
    for probe in texts + probes:
        found = strings.find(probe)
        assert (found >= 0) == (probe in texts)
        if found >= 0:
            assert strings[found] == probe


def test_a_column_is_a_sequence_of_its_strings() -> None:
    texts = ["boulanger/boulangère", "", "kok", "œuvre", "kok"]
    column = StringColumn.of(texts)
    assert len(column) == 5 and list(column) == texts and column == texts and texts == column
    assert column[np.int64(3)] == "œuvre" and column[-1] == "kok" and column[1:3] == ["", "kok"]
    assert column.index("kok") == 2 and "œuvre" in column and "bakker" not in column
    with pytest.raises(IndexError):
        column[5]
    assert StringColumn.of([]) == [] and list(StringColumn.of([])) == []
