"""A growable ragged array (one variable-length list of (id, value) pairs per row), stored columnar so that
a hundred thousand profiles cost a few hundred bytes each, not a Python object each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

Ids = npt.NDArray[np.int32]
Values = npt.NDArray[np.float32]
Rows = npt.NDArray[np.int64]


class Ragged:
    """Rows of (id, value) pairs, appended at the end; a replaced row keeps its old data until ``compact``."""

    def __init__(self) -> None:
        self._starts = np.zeros(0, dtype=np.int64)
        self._lengths = np.zeros(0, dtype=np.int32)
        self._ids = np.zeros(1024, dtype=np.int32)
        self._values = np.zeros(1024, dtype=np.float32)
        self._used = 0

    def __len__(self) -> int:
        return int(self._starts.size)

    @property
    def nbytes(self) -> int:
        """Bytes held by the arrays."""
        return int(self._starts.nbytes + self._lengths.nbytes + self._ids.nbytes + self._values.nbytes)

    def _reserve(self, extra: int) -> None:
        need = self._used + extra
        if need > self._ids.size:
            size = max(need, int(self._ids.size * 1.5))
            self._ids = np.resize(self._ids, size)
            self._values = np.resize(self._values, size)

    def append_many(self, rows: Sequence[tuple[Sequence[int], Sequence[float]]]) -> None:
        """Append rows at the end."""
        lengths = np.fromiter((len(ids) for ids, _ in rows), dtype=np.int32, count=len(rows))
        total = int(lengths.sum())
        self._reserve(total)
        starts = self._used + np.concatenate([[0], np.cumsum(lengths[:-1], dtype=np.int64)]) if rows else np.zeros(0)
        if total:
            self._ids[self._used : self._used + total] = np.fromiter(
                (i for ids, _ in rows for i in ids), dtype=np.int32, count=total
            )
            self._values[self._used : self._used + total] = np.fromiter(
                (v for _, values in rows for v in values), dtype=np.float32, count=total
            )
        self._used += total
        self._starts = np.concatenate([self._starts, np.asarray(starts, dtype=np.int64)])
        self._lengths = np.concatenate([self._lengths, lengths])

    def set_row(self, row: int, ids: Sequence[int], values: Sequence[float]) -> None:
        """Replace one row's pairs (the new pairs go at the end of the storage)."""
        n = len(ids)
        self._reserve(n)
        self._ids[self._used : self._used + n] = np.asarray(ids, dtype=np.int32)
        self._values[self._used : self._used + n] = np.asarray(values, dtype=np.float32)
        self._starts[row] = self._used
        self._lengths[row] = n
        self._used += n

    def row(self, row: int) -> tuple[Ids, Values]:
        """The pairs of one row."""
        start, length = int(self._starts[row]), int(self._lengths[row])
        return self._ids[start : start + length], self._values[start : start + length]

    def gather(self, rows: Rows) -> tuple[Rows, Ids, Values]:
        """The pairs of several rows, concatenated: (position of the owning row in ``rows``, ids, values)."""
        starts = self._starts[rows]
        lengths = self._lengths[rows].astype(np.int64)
        total = int(lengths.sum())
        if total == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
        index = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total, dtype=np.int64)
        owners = np.repeat(np.arange(rows.size, dtype=np.int64), lengths)
        return owners, self._ids[index], self._values[index]

    def copy(self) -> Ragged:
        """An independent copy (the storage reserved for growth is not copied)."""
        out = Ragged()
        out._starts = self._starts.copy()
        out._lengths = self._lengths.copy()
        out._ids = self._ids[: max(self._used, 1)].copy()
        out._values = self._values[: max(self._used, 1)].copy()
        out._used = self._used
        return out

    def shrink(self) -> None:
        """Give back the storage reserved for future rows (after a bulk load)."""
        self._ids = self._ids[: max(self._used, 1)].copy()
        self._values = self._values[: max(self._used, 1)].copy()

    def compact(self, keep: Rows) -> Ragged:
        """A new ragged array with only the given rows, in that order, and no dead storage."""
        out = Ragged()
        owners, ids, values = self.gather(keep)
        out._ids = ids.copy() if ids.size else np.zeros(1024, dtype=np.int32)
        out._values = values.copy() if values.size else np.zeros(1024, dtype=np.float32)
        out._used = int(ids.size)
        out._lengths = self._lengths[keep].copy()
        out._starts = np.concatenate([[0], np.cumsum(out._lengths[:-1], dtype=np.int64)]).astype(np.int64)
        if keep.size == 0:
            out._starts = np.zeros(0, dtype=np.int64)
        return out

    def arrays(self) -> dict[str, npt.NDArray[Any]]:
        """The storage, for saving."""
        return {
            "starts": self._starts,
            "lengths": self._lengths,
            "ids": self._ids[: self._used],
            "values": self._values[: self._used],
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, npt.NDArray[Any]]) -> Ragged:
        """Inverse of ``arrays``."""
        out = cls()
        out._starts = arrays["starts"].astype(np.int64)
        out._lengths = arrays["lengths"].astype(np.int32)
        out._ids = arrays["ids"].astype(np.int32)
        out._values = arrays["values"].astype(np.float32)
        out._used = int(out._ids.size)
        if out._ids.size == 0:
            out._ids = np.zeros(1024, dtype=np.int32)
            out._values = np.zeros(1024, dtype=np.float32)
        return out


__all__ = ["Ragged"]
