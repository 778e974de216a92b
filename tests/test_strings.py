"""The sorted string set: numbering, look-ups, and agreement with a Python set on any strings."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from esco_data.strings import SortedStrings


def test_strings_are_numbered_in_order_and_found() -> None:
    strings, numbers = SortedStrings.of(["kok", "bakker", "boulangère", "kok", "boulanger", ""])
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
    strings, numbers = SortedStrings.of([])
    assert len(strings) == 0 and numbers.size == 0
    assert strings.find("kok") == -1


@given(st.lists(st.text(max_size=8), max_size=30), st.lists(st.text(max_size=8), max_size=10))
def test_agrees_with_a_python_set(texts: list[str], probes: list[str]) -> None:
    strings, numbers = SortedStrings.of(texts)
    assert len(strings) == len(set(texts))
    assert [strings[int(n)] for n in numbers] == texts
    for probe in texts + probes:
        found = strings.find(probe)
        assert (found >= 0) == (probe in texts)
        if found >= 0:
            assert strings[found] == probe
