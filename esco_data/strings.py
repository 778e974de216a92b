"""Strings held in two arrays (their UTF-8 bytes and offsets) instead of as Python objects.

A column of 200,000 label texts costs its UTF-8 bytes and 8 bytes of offset per string, where Python strings
cost about 50 bytes more each (and a dict for look-ups about 50 more); the arrays can also be memory-mapped
from ``.npy`` files. A string is decoded when asked for.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator, Sequence
from typing import SupportsIndex, overload

import numpy as np
import numpy.typing as npt


def _pack(encoded: Sequence[bytes]) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]:
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(item) for item in encoded], out=offsets[1:])
    return np.frombuffer(b"".join(encoded), dtype=np.uint8).copy(), offsets


class StringColumn(Sequence[str]):
    """Strings numbered 0..n-1, as a read-only sequence."""

    def __init__(self, data: npt.NDArray[np.uint8], offsets: npt.NDArray[np.int64]) -> None:
        """Args:
        data: the UTF-8 bytes of every string, concatenated in order.
        offsets: where each string starts in ``data``, and one more offset for the end (n + 1 values).
        """
        self.data = data
        self.offsets = offsets

    @classmethod
    def of(cls, texts: Sequence[str]) -> StringColumn:
        """A column holding these strings, in this order."""
        return cls(*_pack([text.encode("utf-8") for text in texts]))

    def __len__(self) -> int:
        return int(self.offsets.size - 1)

    def _bytes(self, i: int) -> bytes:
        return bytes(self.data[int(self.offsets[i]) : int(self.offsets[i + 1])])

    @overload
    def __getitem__(self, i: SupportsIndex) -> str: ...

    @overload
    def __getitem__(self, i: slice) -> list[str]: ...

    def __getitem__(self, i: SupportsIndex | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        position = operator.index(i)
        n = len(self)
        if position < 0:
            position += n
        if not 0 <= position < n:
            raise IndexError(i)
        return self._bytes(position).decode("utf-8")

    def __iter__(self) -> Iterator[str]:
        for i in range(len(self)):
            yield self._bytes(i).decode("utf-8")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str | bytes):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self)} strings)"


class SortedStrings(StringColumn):
    """Distinct strings in byte order (code point order), found by binary search."""

    @classmethod
    def numbered(cls, texts: Sequence[str]) -> tuple[SortedStrings, npt.NDArray[np.int32]]:
        """The distinct strings of ``texts``, sorted, and the number of each text among them.

        Args:
            texts: the strings, repeats allowed.

        Returns:
            The sorted set, and for each text its number in it.
        """
        encoded = [text.encode("utf-8") for text in texts]
        distinct = sorted(set(encoded))
        number = {item: i for i, item in enumerate(distinct)}
        numbers = np.fromiter((number[item] for item in encoded), dtype=np.int32, count=len(encoded))
        return cls(*_pack(distinct)), numbers

    def find(self, text: str) -> int:
        """The number of a string, or -1 when it is not in the set.

        Args:
            text: the string.

        Returns:
            Its position in sorted order, or -1.
        """
        key = text.encode("utf-8")
        lo, hi = 0, len(self)
        while lo < hi:
            mid = (lo + hi) // 2
            if self._bytes(mid) < key:
                lo = mid + 1
            else:
                hi = mid
        return lo if lo < len(self) and self._bytes(lo) == key else -1


__all__ = ["SortedStrings", "StringColumn"]
