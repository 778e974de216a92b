"""What the rematch keeps of each list besides its matches, so that a later run can bring the list up to date
from a change without searching or scoring it again (``matching.rematch.patch``).

- The boundaries: one per search the list's ranking made (the first, then each widening when the filters left too
  few), each with its edge: the candidates around the boundary, in the index's order, with the cosine the index
  gave each (the last ``EDGE`` the search returned, ``inside`` of them, and the first ones past them). A change
  moves a boundary by as many places as it adds or removes candidates before it; while the boundary stays within
  its edge, what lies before it is known. The last boundary holds the list's candidates; for each one before it
  the state keeps at most how many candidates before it pass the filters (``kept``): fewer than the list's length,
  which is why the search went on.
- The prefix: the list's ranked matches and ``RESERVE`` more past its end, each with its score and score parts.
  Every other candidate that passed the filters ranks after the prefix's last entry, unless the prefix holds them
  all (``complete``). A list whose matches leave fills from the reserve; an entrant that ranks before the last
  entry joins.

States of many lists are held columnar (``ListStates``) and stored one binary value per list
(``RematchList.state``): a header (counts, flags, then each boundary's counts), the float32 values exactly as
computed (edge cosines, then score and parts of each prefix entry), the edges' prefix flags, then the ids joined
by a unit separator. Encoding and decoding work on all lists at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.ranking import COMPONENTS

Rows = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float32]
Mask = npt.NDArray[np.bool_]
Ids = npt.NDArray[np.object_]
"""Ids as Python strings in an object array: made from and turned back into lists several times faster than numpy's
fixed-width strings, which a patch does for hundreds of thousands of ids."""
WIDTH = 1 + len(COMPONENTS)
"""Values of a prefix entry: its score, then its score parts."""
SEP = "\x1f"
"""Joins the ids of a state (a profile id holding it gets no state: its lists are computed when reached)."""
HEADER = np.dtype([("bounds", "u1"), ("flags", "u1"), ("prefix", "<u2")])
BOUND = np.dtype([("inside", "<u2"), ("edges", "<u2"), ("kept", "<u2")])
TO_END, COMPLETE = 1, 2


def offsets_of(counts: npt.NDArray[np.int64]) -> Rows:
    """Offsets of ragged groups of these sizes."""
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)


def owner_of(offsets: Rows) -> Rows:
    """The group of each flat entry."""
    return np.repeat(np.arange(offsets.size - 1, dtype=np.int64), np.diff(offsets))


def _gather(offsets: Rows, groups: Rows) -> tuple[Rows, Rows]:
    """The flat positions of some groups' entries, and their new offsets."""
    counts = (offsets[groups + 1] - offsets[groups]).astype(np.int64)
    new = offsets_of(counts)
    pick = np.repeat(offsets[groups], counts) + np.arange(int(new[-1])) - np.repeat(new[:-1], counts)
    return pick.astype(np.int64), new


def ids_array(ids: Sequence[str]) -> Ids:
    """Ids as states hold them (``Ids``)."""
    out = np.empty(len(ids), dtype=object)
    out[:] = list(ids)
    return out


@dataclass
class ListStates:
    """The boundaries and prefixes of many lists, columnar: list i's boundaries are ``bound_offsets[i]:
    bound_offsets[i + 1]`` (its last one holds its candidates), boundary b's edge entries ``edge_offsets[b]:
    edge_offsets[b + 1]`` of the ``edge_*`` arrays, list i's prefix entries ``prefix_offsets[i]:
    prefix_offsets[i + 1]``."""

    to_end: Mask
    """Per list, whether its last search returned every profile (nothing lies past its last edge)."""
    complete: Mask
    """Per list, whether the prefix holds every candidate that passed the filters."""
    bound_offsets: Rows
    inside: Rows
    """Per boundary, its edge entries among the candidates its search returned (the first ones of the edge)."""
    kept: Rows
    """Per boundary before the last, at most how many candidates before it pass the filters (0 for the last)."""
    edge_offsets: Rows
    edge_ids: Ids
    edge_cosine: Floats
    listed: Mask
    """Per edge entry, whether it is in the prefix (only read on a list's last boundary)."""
    prefix_offsets: Rows
    prefix_ids: Ids
    prefix_values: npt.NDArray[np.float32]
    """(prefix entries, 1 + 6): score, then the parts in the order of ``COMPONENTS``."""

    def __len__(self) -> int:
        return int(self.to_end.size)

    @classmethod
    def empty(cls) -> ListStates:
        """No list."""
        none = np.zeros(0, np.int64)
        return cls(
            to_end=none.astype(np.bool_),
            complete=none.astype(np.bool_),
            bound_offsets=np.zeros(1, np.int64),
            inside=none,
            kept=none,
            edge_offsets=np.zeros(1, np.int64),
            edge_ids=ids_array([]),
            edge_cosine=np.zeros(0, np.float32),
            listed=none.astype(np.bool_),
            prefix_offsets=np.zeros(1, np.int64),
            prefix_ids=ids_array([]),
            prefix_values=np.zeros((0, WIDTH), np.float32),
        )

    def last_bound(self) -> Rows:
        """Per list, its last boundary (the one holding its candidates); -1 for a list with none."""
        return np.where(np.diff(self.bound_offsets) > 0, self.bound_offsets[1:] - 1, -1)

    def edge_low(self) -> npt.NDArray[np.float64]:
        """Per list, the lowest cosine at which a changed profile can change it: its last edge's last cosine (NaN:
        any, the edge reaches the end of the index's order)."""
        bound = self.last_bound()
        if not self.inside.size or not self.edge_cosine.size:
            return np.full(len(self), np.nan)
        ok = bound >= 0
        ends = self.edge_offsets[np.maximum(bound, 0) + 1]
        ok &= ends > self.edge_offsets[np.maximum(bound, 0)]
        low = self.edge_cosine[np.maximum(ends - 1, 0)].astype(np.float64)
        return np.where(ok & ~self.to_end, low, np.nan)

    def storable(self) -> Mask:
        """Per list, whether its state can be stored (no id holds the separator, counts fit the format)."""
        ok = np.diff(self.bound_offsets) < 256
        for ids, offsets in ((self.edge_ids, self.edge_offsets), (self.prefix_ids, self.prefix_offsets)):
            if ids.size:
                bad = owner_of(offsets)[np.fromiter((SEP in i for i in ids.tolist()), np.bool_, ids.size)]
                if offsets is self.edge_offsets:
                    bad = owner_of(self.bound_offsets)[bad]
                ok[bad] = False
        return ok

    def encode(self) -> list[bytes]:
        """One stored value per list."""
        n = len(self)
        bounds, prefix = np.diff(self.bound_offsets), np.diff(self.prefix_offsets)
        edges = np.diff(self.edge_offsets)
        header = np.zeros(n, dtype=HEADER)
        header["bounds"], header["prefix"] = bounds, prefix
        header["flags"] = self.to_end * TO_END + self.complete * COMPLETE
        records = np.zeros(self.inside.size, dtype=BOUND)
        records["inside"], records["edges"], records["kept"] = self.inside, edges, np.minimum(self.kept, 65535)
        list_edges = self.edge_offsets[self.bound_offsets[1:]] - self.edge_offsets[self.bound_offsets[:-1]]
        e_at = offsets_of(list_edges)
        counts = list_edges + prefix * WIDTH
        starts = offsets_of(counts)
        values = np.empty(int(starts[-1]), dtype=np.float32)
        e_owner = owner_of(e_at)
        values[starts[e_owner] + np.arange(e_owner.size) - e_at[e_owner]] = self.edge_cosine
        p_owner = owner_of(self.prefix_offsets)
        p_base = (
            starts[p_owner] + list_edges[p_owner] + (np.arange(p_owner.size) - self.prefix_offsets[p_owner]) * WIDTH
        )
        values[(p_base[:, None] + np.arange(WIDTH)).reshape(-1)] = self.prefix_values.reshape(-1)
        head, recs, floats = header.tobytes(), records.tobytes(), values.tobytes()
        flags = self.listed.astype(np.uint8).tobytes()
        b_at, p_at = (self.bound_offsets * BOUND.itemsize).tolist(), self.prefix_offsets.tolist()
        f_at, e_list = (starts * 4).tolist(), e_at.tolist()
        edge_ids, prefix_ids = self.edge_ids.tolist(), self.prefix_ids.tolist()
        size = HEADER.itemsize
        out = []
        for i in range(n):
            ids = SEP.join(edge_ids[e_list[i] : e_list[i + 1]] + prefix_ids[p_at[i] : p_at[i + 1]])
            out.append(
                b"".join(
                    (
                        head[i * size : (i + 1) * size],
                        recs[b_at[i] : b_at[i + 1]],
                        floats[f_at[i] : f_at[i + 1]],
                        flags[e_list[i] : e_list[i + 1]],
                        ids.encode(),
                    )
                )
            )
        return out

    @classmethod
    def decode(cls, blobs: Sequence[bytes]) -> ListStates:
        """The states of some lists from their stored values."""
        if not blobs:
            return cls.empty()
        size = HEADER.itemsize
        header = np.frombuffer(b"".join(b[:size] for b in blobs), dtype=HEADER)
        bounds = header["bounds"].astype(np.int64)
        prefix = header["prefix"].astype(np.int64)
        rec_end = (size + bounds * BOUND.itemsize).tolist()
        records = np.frombuffer(b"".join(b[size:e] for b, e in zip(blobs, rec_end, strict=True)), dtype=BOUND)
        edges = records["edges"].astype(np.int64)
        bound_offsets = offsets_of(bounds)
        edge_offsets = offsets_of(edges)
        list_edges = edge_offsets[bound_offsets[1:]] - edge_offsets[bound_offsets[:-1]]
        floats = (list_edges + prefix * WIDTH) * 4
        float_end = (np.asarray(rec_end) + floats).tolist()
        values = np.frombuffer(
            b"".join(b[s:e] for b, s, e in zip(blobs, rec_end, float_end, strict=True)), dtype=np.float32
        )
        flags_end = (np.asarray(float_end) + list_edges).tolist()
        listed = np.frombuffer(
            b"".join(b[s:e] for b, s, e in zip(blobs, float_end, flags_end, strict=True)), dtype=np.uint8
        ).astype(np.bool_)
        with_ids = [b[f:] for b, f in zip(blobs, flags_end, strict=True) if f < len(b)]
        ids = ids_array(SEP.encode().join(with_ids).decode().split(SEP) if with_ids else [])
        e_at, prefix_offsets = offsets_of(list_edges), offsets_of(prefix)
        starts = offsets_of(list_edges + prefix * WIDTH)
        e_owner, p_owner = owner_of(e_at), owner_of(prefix_offsets)
        edge_cosine = values[starts[e_owner] + np.arange(e_owner.size) - e_at[e_owner]]
        p_base = starts[p_owner] + list_edges[p_owner] + (np.arange(p_owner.size) - prefix_offsets[p_owner]) * WIDTH
        prefix_values = values[(p_base[:, None] + np.arange(WIDTH)).reshape(-1)].reshape(-1, WIDTH)
        id_starts = offsets_of(list_edges + prefix)
        kinds = np.ones(ids.size, dtype=np.bool_)  # True: an edge id
        kinds[id_starts[p_owner] + list_edges[p_owner] + np.arange(p_owner.size) - prefix_offsets[p_owner]] = False
        return cls(
            to_end=(header["flags"] & TO_END) > 0,
            complete=(header["flags"] & COMPLETE) > 0,
            bound_offsets=bound_offsets,
            inside=records["inside"].astype(np.int64),
            kept=records["kept"].astype(np.int64),
            edge_offsets=edge_offsets,
            edge_ids=ids[kinds],
            edge_cosine=edge_cosine.astype(np.float32),
            listed=listed,
            prefix_offsets=prefix_offsets,
            prefix_ids=ids[~kinds],
            prefix_values=prefix_values.astype(np.float32),
        )

    def take(self, lists: Rows) -> ListStates:
        """The states of some of the lists, in that order."""
        b_pick, b_offsets = _gather(self.bound_offsets, lists)
        e_pick, e_offsets = _gather(self.edge_offsets, b_pick)
        p_pick, p_offsets = _gather(self.prefix_offsets, lists)
        return ListStates(
            to_end=self.to_end[lists],
            complete=self.complete[lists],
            bound_offsets=b_offsets,
            inside=self.inside[b_pick],
            kept=self.kept[b_pick],
            edge_offsets=e_offsets,
            edge_ids=self.edge_ids[e_pick],
            edge_cosine=self.edge_cosine[e_pick],
            listed=self.listed[e_pick],
            prefix_offsets=p_offsets,
            prefix_ids=self.prefix_ids[p_pick],
            prefix_values=self.prefix_values[p_pick],
        )


__all__ = ["SEP", "WIDTH", "Ids", "ListStates", "ids_array", "offsets_of", "owner_of"]
