"""Columnar features of every indexed profile of one kind: what re-ranking and filters read for candidates.

Rows are appended; an updated profile gets its row rewritten in place, a removed one is marked dead until the
next ``compact``. Concepts are numbered by their row in the concept space.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.ranking.features import ProfileFeatures
from matching.ranking.licences import licence_mask
from matching.ranking.location import COLUMNS, REGION_CODES, PlaceColumns, Region, place_values
from matching.ranking.ragged import Ragged, Rows
from matching.space import ConceptSpace


def lang_code(lang: str) -> int:
    """A two-letter language code as a small integer."""
    lang = lang.lower()
    return (ord(lang[0]) - 97) * 26 + (ord(lang[1]) - 97) if len(lang) == 2 and lang.isalpha() else -1


def lang_name(code: int) -> str:
    """Inverse of ``lang_code``."""
    return chr(97 + code // 26) + chr(97 + code % 26)


def region_mask(regions: Sequence[str]) -> int:
    """Regions as a bit mask (0: no limit)."""
    mask = 0
    for name in regions:
        code = REGION_CODES.get(Region(name)) if name in Region.__members__ else None
        if code:
            mask |= 1 << code
    return mask


_SCALARS: dict[str, type] = {
    "alive": np.bool_,
    "active": np.bool_,
    **COLUMNS,
    "licences": np.int32,
    "regions": np.int8,
    "max_km": np.int16,
}
_RAGGED = ("skills", "inferred", "required", "optional", "occupations", "groups", "languages")


class FeatureTable:
    """Features of all indexed profiles of one kind, by row."""

    def __init__(self, space: ConceptSpace) -> None:
        self.space = space
        self.ids: list[str] = []
        self.row_of: dict[str, int] = {}
        self.scalars: dict[str, npt.NDArray[Any]] = {k: np.zeros(0, dtype=t) for k, t in _SCALARS.items()}
        self.ragged: dict[str, Ragged] = {k: Ragged() for k in _RAGGED}

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def alive_count(self) -> int:
        """Rows that are not removed."""
        return int(self.scalars["alive"].sum())

    @property
    def nbytes(self) -> int:
        """Bytes held by the arrays (ids and the row dictionary not counted)."""
        return sum(a.nbytes for a in self.scalars.values()) + sum(r.nbytes for r in self.ragged.values())

    def places(self, rows: Rows) -> PlaceColumns:
        """The places of some rows (postcode, region and commune codes, position), for location fit and filters."""
        return PlaceColumns(**{name: self.scalars[name][rows] for name in COLUMNS})

    def _concept_rows(self, weights: dict[str, float]) -> tuple[list[int], list[float]]:
        pairs = sorted((self.space.index_of(u), w) for u, w in weights.items() if u in self.space)
        return [p[0] for p in pairs], [p[1] for p in pairs]

    def _ragged_rows(self, f: ProfileFeatures) -> dict[str, tuple[list[int], list[float]]]:
        langs = sorted((lang_code(k), float(v)) for k, v in f.languages.items() if lang_code(k) >= 0)
        return {
            "skills": self._concept_rows(f.skills),
            "inferred": self._concept_rows(f.inferred),
            "required": self._concept_rows(f.required),
            "optional": self._concept_rows(f.optional),
            "occupations": self._concept_rows(f.occupations),
            "groups": self._concept_rows(f.groups),
            "languages": ([c for c, _ in langs], [v for _, v in langs]),
        }

    @staticmethod
    def _scalar_values(f: ProfileFeatures) -> dict[str, float | int | bool]:
        p = f.profile
        return {
            "alive": True,
            "active": p.active,
            **place_values(f.place),
            "licences": licence_mask(p.driving_licences),
            "regions": region_mask(p.regions),
            "max_km": p.max_km if p.max_km is not None else -1,
        }

    def upsert(self, features: Sequence[ProfileFeatures]) -> Rows:
        """Add new profiles and rewrite the rows of known ones.

        Returns:
            The row of each profile, in order.
        """
        rows = np.zeros(len(features), dtype=np.int64)
        new: list[tuple[int, ProfileFeatures]] = []
        for i, f in enumerate(features):
            row = self.row_of.get(f.profile.id)
            if row is None:
                new.append((i, f))
                continue
            rows[i] = row
            for key, value in self._scalar_values(f).items():
                self.scalars[key][row] = value
            for key, (ids, values) in self._ragged_rows(f).items():
                self.ragged[key].set_row(row, ids, values)
        if new:
            start = len(self.ids)
            for offset, (i, f) in enumerate(new):
                self.ids.append(f.profile.id)
                self.row_of[f.profile.id] = start + offset
                rows[i] = start + offset
            scalar_rows = [self._scalar_values(f) for _, f in new]
            for key, dtype in _SCALARS.items():
                column: npt.NDArray[Any] = np.asarray([v[key] for v in scalar_rows], dtype=dtype)
                self.scalars[key] = np.concatenate([self.scalars[key], column])
            per_row = [self._ragged_rows(f) for _, f in new]
            for key in _RAGGED:
                self.ragged[key].append_many([r[key] for r in per_row])
        return rows

    def copy(self) -> FeatureTable:
        """An independent copy: changing it never changes this table."""
        out = FeatureTable(self.space)
        out.ids = list(self.ids)
        out.row_of = dict(self.row_of)
        out.scalars = {k: v.copy() for k, v in self.scalars.items()}
        out.ragged = {k: r.copy() for k, r in self.ragged.items()}
        return out

    def shrink(self) -> None:
        """Give back storage reserved for growth (after a bulk load)."""
        for ragged in self.ragged.values():
            ragged.shrink()

    def remove(self, profile_id: str) -> int | None:
        """Mark a profile's row dead; its row, or None if it was not there."""
        row = self.row_of.get(profile_id)
        if row is None or not self.scalars["alive"][row]:
            return None
        self.scalars["alive"][row] = False
        return row

    def compact(self) -> Rows:
        """Drop dead rows; returns the old row of each new row."""
        keep = np.flatnonzero(self.scalars["alive"]).astype(np.int64)
        self.ids = [self.ids[i] for i in keep]
        self.row_of = {pid: i for i, pid in enumerate(self.ids)}
        self.scalars = {k: v[keep] for k, v in self.scalars.items()}
        self.ragged = {k: r.compact(keep) for k, r in self.ragged.items()}
        return keep

    def save(self, path: Path) -> None:
        """Write the table to one ``.npz`` file (ids included)."""
        arrays: dict[str, npt.NDArray[Any]] = {f"s_{k}": v for k, v in self.scalars.items()}
        for key, ragged in self.ragged.items():
            arrays |= {f"r_{key}_{part}": a for part, a in ragged.arrays().items()}
        arrays["ids"] = np.asarray(self.ids, dtype=str)
        with path.open("wb") as fh:
            np.savez(fh, **arrays)  # type: ignore[arg-type]

    @classmethod
    def load(cls, path: Path, space: ConceptSpace) -> FeatureTable:
        """Read a table written by ``save``."""
        table = cls(space)
        with np.load(path) as data:
            table.ids = [str(x) for x in data["ids"]]
            table.row_of = {pid: i for i, pid in enumerate(table.ids)}
            table.scalars = {k: data[f"s_{k}"].astype(t) for k, t in _SCALARS.items()}
            for key in _RAGGED:
                table.ragged[key] = Ragged.from_arrays(
                    {part: data[f"r_{key}_{part}"] for part in ("starts", "lengths", "ids", "values")}
                )
        return table


__all__ = ["FeatureTable", "lang_code", "lang_name", "region_mask"]
