"""Bringing lists up to date from the changes of the other kind, without searching or ranking them again.

A list is what ``rank_lists`` makes of its query's candidates: the ``wanted`` profiles of the other kind with the
highest cosine, in the index's order. A change takes a profile's old vector out of that order and puts its new one
in; the list's candidates change only when one of the two lies before the list's search boundary or within its
stored edge (``matching.rematch.state``). So, for every list a change can reach, at once:

1. Move the boundary. Changed profiles are placed by the cosine the index gives them (computed for the pair alone,
   bit for bit as a search reports it): before the edge, inside it, or past it. Each one removed before the
   boundary brings the next candidate in, each one added before it pushes the last one out; while the boundary
   stays within the edge, the new candidates, the new boundary and its cosine are known.
2. Score only what entered (changed profiles, and edge candidates the boundary now includes), with the scorer
   and the filters; what left drops out.
3. Patch the ranking from the stored prefix (the list and its reserve, with scores and parts): every other
   eligible candidate ranks after its last entry, so entrants that rank before it join and leavers leave. When
   what is left still holds the list's length, it is the new list.

The result equals what ``rank_lists`` gives on the same data: the same candidates, and each candidate's score
computed by the same function from the same inputs (a pair's score does not depend on the pairs scored with it).
A list is computed again instead when this cannot be known exactly: a cosine ties another at the edge, the
boundary leaves the edge, the reserve runs out, fewer candidates than the list's length may pass the filters (the
search would widen), or the list has no state (its search was widened, staff pinned or excluded profiles on it,
or it was stored before states were kept). Only what differs is written: new matches, dropped ones, and matches
whose rank, score or parts moved.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.profiles import ProfileKind
from matching.ranking import EDGE, IndexType, Pairs, Queries, filter_pairs, other_kind, wanted_for
from matching.rematch.compute import BATCH_FILTERS, RESERVE, BatchState
from matching.rematch.state import Ids, ListStates, ids_array, offsets_of, owner_of

Vectors = npt.NDArray[np.float32]
Rows = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]
EXACT_MARGIN = 1e-5
"""Cosines the index computes and those a matrix product computes may differ by rounding."""
BLOCK = 8192


@dataclass
class Changes:
    """The changed profiles of one kind, with their vectors as of the base run and now."""

    ids: list[str]
    old: dict[str, Vectors]
    """Vectors as of the base run (absent: the profile was not matchable then)."""
    new: dict[str, Vectors]
    """Vectors now (absent: the profile is not matchable now)."""


@dataclass
class Reached:
    """Lists a change can reach: one entry per (list, changed profile) near it, with the exact cosines."""

    lists: Rows
    """Per entry, the list (its position among the queries screened)."""
    changed: Rows
    """Per entry, the changed profile (its position in ``Changes.ids``)."""
    old: Floats
    """The cosine the index gave the profile's old vector (NaN: none, or far)."""
    new: Floats
    """The cosine the index gives its new vector (NaN: none, or far)."""
    exact: bool = True
    """Whether the index could give the cosines (an inverted file cannot: every reached list is computed)."""

    def take(self, mask: Mask, lists: Rows) -> Reached:
        """Some of the entries, with their lists renumbered."""
        return Reached(lists[self.lists[mask]], self.changed[mask], self.old[mask], self.new[mask], self.exact)


@dataclass
class PatchOutcome:
    """The patched lists (sorted by id) with what they become, and the lists to compute again with why."""

    query_kind: ProfileKind
    size: int
    """The length of every list."""
    lists: list[str] = field(default_factory=list)
    fetched: Rows = field(default_factory=lambda: np.zeros(0, np.int64))
    threshold: Floats = field(default_factory=lambda: np.zeros(0))
    """NaN: the search returned every profile."""
    eligible: Rows = field(default_factory=lambda: np.zeros(0, np.int64))
    states: ListStates = field(default_factory=ListStates.empty)
    top: dict[str, Any] = field(default_factory=dict)
    """The changes to the stored matches: ``inserted``, ``updated`` and ``deleted``, each a dict of arrays with the
    list's position (``list``), the match id and its values."""
    compute: set[str] = field(default_factory=set)
    reasons: Counter[str] = field(default_factory=Counter)
    _where: dict[str, int] = field(default_factory=dict, repr=False)
    """Each list's position (made on the first ``rows``, once for every chunk)."""
    _groups: dict[str, tuple[Rows, Rows]] = field(default_factory=dict, repr=False)
    """Per kind of change, its entries in the order of their lists, and each list's offsets into them."""

    def _entries(self, key: str, chosen: Rows) -> Rows:
        """The positions of the entries of ``top[key]`` that belong to some lists, list after list (in each list,
        in their order)."""
        if key not in self._groups:
            owner = self.top[key]["list"]
            order = np.argsort(owner, kind="stable").astype(np.int64)
            self._groups[key] = (order, offsets_of(np.bincount(owner, minlength=len(self.lists)).astype(np.int64)))
        order, offsets = self._groups[key]
        counts = offsets[chosen + 1] - offsets[chosen]
        starts = offsets_of(counts)
        flat = np.repeat(offsets[chosen], counts) + np.arange(int(starts[-1])) - np.repeat(starts[:-1], counts)
        picked: Rows = order[flat]
        return picked

    def rows(self, run_id: int, ids: Sequence[str]) -> dict[str, Any]:
        """What committing the patches of some lists writes: their list rows and their matches' changes.

        Returns:
            ``lists`` (rematch_list rows), ``inserted`` (rematch_match rows), ``updated`` ((rank, score, parts,
            previous score, run, kind, query, match) tuples), ``deleted`` ((kind, query, match)), ``dropped``
            (rematch_dropped rows) and ``counts``.
        """
        kind = self.query_kind.value
        if not self._where:
            self._where = {q: i for i, q in enumerate(self.lists)}
        where = self._where
        chosen = np.asarray(sorted(where[q] for q in ids), dtype=np.int64)
        states = self.states.take(chosen)
        blobs = states.encode()
        low = states.edge_low()
        lists = [
            (
                kind,
                self.lists[i],
                run_id,
                int(self.fetched[i]),
                None if np.isnan(self.threshold[i]) else float(self.threshold[i]),
                int(self.eligible[i]),
                None if np.isnan(low[j]) else float(low[j]),
                blobs[j],
            )
            for j, i in enumerate(chosen.tolist())
        ]
        pick = {key: self._entries(key, chosen) for key in ("inserted", "updated", "deleted")}
        ins, upd, dele = (
            {k: v[pick[key]] for k, v in self.top[key].items()} for key in ("inserted", "updated", "deleted")
        )
        # Tuples zipped from columns (in C): building them one by one with unpacked parts cost more than the
        # writing at 100k (hundreds of thousands of moved rows).
        names = [self.lists[i] for i in ins["list"].tolist()]
        n_ins = len(names)
        inserted = list(
            zip(
                repeat(kind, n_ins), names, ins["id"].tolist(), ins["rank"].tolist(), ins["score"].tolist(),
                *ins["parts"].T.tolist(), repeat(None, n_ins), repeat(run_id, n_ins), repeat(run_id, n_ins),
                strict=True,
            )
        )  # fmt: skip
        n_upd = int(upd["list"].size)
        updated = list(
            zip(
                upd["rank"].tolist(), upd["score"].tolist(), *upd["parts"].T.tolist(), upd["previous"].tolist(),
                repeat(run_id, n_upd), repeat(kind, n_upd), [self.lists[q] for q in upd["list"].tolist()],
                upd["id"].tolist(), strict=True,
            )
        )  # fmt: skip
        gone = [self.lists[q] for q in dele["list"].tolist()]
        deleted = list(zip(repeat(kind, len(gone)), gone, dele["id"].tolist(), strict=True))
        dropped = list(
            zip(repeat(run_id, len(gone)), repeat(kind, len(gone)), gone, dele["id"].tolist(), dele["score"].tolist(),
                strict=True)
        )  # fmt: skip
        counts = {
            "patched": len(lists),
            "matches": int(np.minimum(np.diff(states.prefix_offsets), self.size).sum()),
            "new": len(inserted),
            "dropped": len(deleted),
            "changed": int(upd["changed"].sum()),
        }
        return {
            "lists": lists,
            "inserted": inserted,
            "updated": updated,
            "deleted": deleted,
            "dropped": dropped,
            "counts": counts,
        }


def _member(keys: Rows, probe: Rows) -> tuple[Mask, Rows]:
    """Whether each probe is among the keys, and where (keys need not be sorted)."""
    if keys.size == 0:
        return np.zeros(probe.size, dtype=np.bool_), np.zeros(probe.size, dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    pos = np.minimum(np.searchsorted(keys[order], probe), keys.size - 1)
    return keys[order][pos] == probe, order[pos]


class _Lookup:
    """Positions of ids in a list of ids, for arrays of ids at once (-1 where absent).

    A dictionary: for the hundreds of thousands of ids of a patch's states, a sorted search over numpy's
    fixed-width strings took seven times as long (0.21 s against 0.03 s for 660,000 ids, ad hoc)."""

    def __init__(self, ids: Sequence[str]) -> None:
        every = np.asarray(list(ids), dtype=str) if len(ids) else np.zeros(0, dtype=str)
        order = np.argsort(every, kind="stable").astype(np.int64)
        ordered = every[order]
        self.rank = np.empty(every.size, dtype=np.int64)
        """Per row, its id's place in the order of ids (one id, one rank): ids compared as integers."""
        self.rank[order] = np.searchsorted(ordered, ordered)
        # (a repeated id answers its first row, as the stable sorted search before did)
        self.row = {pid: i for i, pid in reversed(list(enumerate(every.tolist())))}

    def __call__(self, ids: npt.NDArray[Any] | Sequence[str]) -> Rows:
        found = ids.tolist() if isinstance(ids, np.ndarray) else ids
        return np.fromiter(map(self.row.get, found, repeat(-1)), dtype=np.int64, count=len(found))


def _rounded(scores: npt.NDArray[Any]) -> Floats:
    """Scores at the precision lists are ordered by (as ``order_pairs``)."""
    wide: Floats = np.asarray(scores, dtype=np.float32).astype(np.float64)
    return np.round(wide, 6)


def _ranked_order(lists: Rows, scores: Floats, keys: npt.NDArray[Any]) -> Rows:
    """The order of ``np.lexsort((keys, -scores, lists))`` for scores at the lists' precision (``_rounded``):
    by list, best score first, then by key.

    When the keys are integers and the three fit in one 62-bit integer (scores as whole millionths), one sort of
    that integer: 0.21 s against 1.26 s for 2.5 million entries (ad hoc, same order).
    """
    if lists.size == 0 or keys.dtype.kind not in "iu" or (keys < 0).any() or (lists < 0).any():
        return np.lexsort((keys, -scores, lists)).astype(np.int64)
    millionths = np.rint(scores * 1e6)
    if not np.isfinite(millionths).all():
        return np.lexsort((keys, -scores, lists)).astype(np.int64)
    worse = (millionths.max() - millionths).astype(np.int64)  # 0 for the best score
    key_bits, score_bits = int(keys.max()).bit_length(), int(worse.max()).bit_length()
    if int(lists.max()).bit_length() + score_bits + key_bits > 62:
        return np.lexsort((keys, -scores, lists)).astype(np.int64)
    packed = (lists.astype(np.int64) << (score_bits + key_bits)) | (worse << key_bits) | keys.astype(np.int64)
    return np.argsort(packed, kind="stable").astype(np.int64)


_NO_HITS = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))


class Patcher:
    """Patches the lists of one kind of query from the changes of the other kind."""

    def __init__(self, state: BatchState, top: int) -> None:
        """Args:
        state: the feature tables, indexes and scorer, at the run's data.
        top: the length of every list.
        """
        self.state = state
        self.top = top
        self.wanted = wanted_for(top)
        self._lookups: dict[ProfileKind, _Lookup] = {}

    def exact_search(self, query_kind: ProfileKind) -> bool:
        """Whether the index the lists of a kind search returns the exact order (every profile with a higher
        cosine before the boundary), or is a graph that may miss some."""
        return self.state.indexes[other_kind(query_kind)].kind is not IndexType.hnsw

    def _rows(self, kind: ProfileKind) -> _Lookup:
        """The rows of a kind's table by id."""
        if kind not in self._lookups:
            self._lookups[kind] = _Lookup(self.state.tables[kind].ids)
        return self._lookups[kind]

    def reached(self, query_kind: ProfileKind, vectors: Vectors, low: Floats, changes: Changes) -> Reached:
        """The (list, changed profile) pairs where the profile's old or new cosine reaches the lowest cosine that
        matters to the list, with the cosines.

        The screen is a matrix product with the vectors as the index stores them (decoded from 8-bit codes), so
        it is within rounding of what a search reports; new cosines are then computed exactly as the index
        reports them (they enter edges and scores), old ones are kept from the screen (``patch`` computes the
        few it cannot place exactly).

        Args:
            query_kind: the lists' kind.
            vectors: the lists' query vectors, one row each.
            low: per list, the lowest cosine that matters (-inf: any).
            changes: the other kind's changes.
        """
        index = self.state.indexes[other_kind(query_kind)]
        dim = index.dim
        exact = True
        sides = []
        for vectors_of in (changes.old, changes.new):
            picked = [j for j, c in enumerate(changes.ids) if c in vectors_of]
            stacked = (
                np.stack([vectors_of[changes.ids[j]] for j in picked]) if picked else np.zeros((0, dim), np.float32)
            )
            stored = index.as_stored(stacked)
            if stored is None:  # the index cannot say: screen wide, and compute every reached list
                exact = False
                margin = (2 * index.reconstruction_error(stacked) + EXACT_MARGIN).astype(np.float32)
                stored = stacked
            else:
                margin = np.full(len(stacked), EXACT_MARGIN, dtype=np.float32)
            sides.append((np.asarray(picked, dtype=np.int64), stacked, stored, margin))
        hits: list[tuple[Rows, Rows, Floats]] = []
        for _, _, stored, margin in sides:
            found: list[tuple[Rows, Rows, Floats]] = []
            for start in range(0, len(vectors) if len(stored) else 0, BLOCK):
                sims = vectors[start : start + BLOCK] @ stored.T
                rows, cols = np.nonzero(sims + margin[None, :] >= low[start : start + BLOCK, None])
                found.append(
                    (rows.astype(np.int64) + start, cols.astype(np.int64), sims[rows, cols].astype(np.float64))
                )
            if found:
                hits.append(
                    (
                        np.concatenate([f[0] for f in found]),
                        np.concatenate([f[1] for f in found]),
                        np.concatenate([f[2] for f in found]),
                    )
                )
            else:
                hits.append(_NO_HITS)
        width = max(1, len(changes.ids))
        keys = np.unique(np.concatenate([rows * width + sides[s][0][cols] for s, (rows, cols, _) in enumerate(hits)]))
        old, new = np.full(keys.size, np.nan), np.full(keys.size, np.nan)
        rows, cols, approx = hits[0]
        old[np.searchsorted(keys, rows * width + sides[0][0][cols])] = approx
        rows, cols, approx = hits[1]
        if rows.size and exact:
            computed = index.pair_cosines(vectors, sides[1][1], rows, cols)
            assert computed is not None
            new[np.searchsorted(keys, rows * width + sides[1][0][cols])] = computed
        return Reached(keys // width, keys % width, old, new, exact)

    def _exact_old(
        self, query_kind: ProfileKind, vectors: Vectors, near: Reached, which: Rows, changes: Changes
    ) -> Floats:
        """The cosines the index gave some changed profiles' old vectors, exactly (for the pairs the screen cannot
        place)."""
        index = self.state.indexes[other_kind(query_kind)]
        if which.size == 0:
            return np.zeros(0)
        olds = np.stack([changes.old[changes.ids[int(c)]] for c in near.changed[which]])
        found = index.pair_cosines(vectors, olds, near.lists[which], np.arange(which.size, dtype=np.int64))
        assert found is not None
        return found.astype(np.float64)

    def patch(
        self,
        query_kind: ProfileKind,
        lists: list[str],
        fetched: Rows,
        eligible: Rows,
        states: ListStates,
        near: Reached,
        changes: Changes,
        vectors: Vectors,
    ) -> PatchOutcome:
        """Patch some reached lists that have a state.

        Args:
            query_kind: the lists' kind.
            lists: the lists' query ids.
            fetched: per list, the candidates its last search returned.
            eligible: per list, the candidates that passed the filters (at least).
            states: per list, its state.
            near: the changed profiles near each list (``reached``, lists numbered as here).
            changes: the other kind's changes.
            vectors: the lists' query vectors, one row each.

        Returns:
            The patched lists and the lists to compute again.
        """
        n = len(lists)
        out = PatchOutcome(query_kind, self.top)
        if n == 0:
            return out
        top = self.top
        table = self.state.tables[other_kind(query_kind)]
        qtable = self.state.tables[query_kind]
        queries = Queries(query_kind, qtable, self._rows(query_kind)(lists))
        bad: dict[str, Mask] = {}
        moves = self._moves(query_kind, states, fetched, near, changes, vectors, bad)
        b_list = moves.bound_list
        main = moves.main
        passes_into = filter_pairs(
            BATCH_FILTERS,
            queries,
            table,
            Pairs(b_list[moves.ent_bound], moves.ent_row, moves.ent_cos.astype(np.float32)),
        )
        left = Pairs(b_list[moves.left_bound], moves.left_row, np.zeros(moves.left_bound.size, np.float32))
        passes_out = filter_pairs(BATCH_FILTERS, queries, table, left)

        # The prefix: which changed profiles it held (they leave it), which pushed-out candidates it held.
        width = max(1, len(changes.ids))
        span = len(table) + 1
        p_list = owner_of(states.prefix_offsets)
        p_pos = np.arange(p_list.size) - states.prefix_offsets[p_list]
        p_row, p_code = moves.prefix_rows, moves.prefix_codes
        listed_changed = p_code >= 0
        in_prefix, _ = _member(p_list[listed_changed] * width + p_code[listed_changed], moves.left_changed_key)
        known, _ = _member(moves.event_key_with_old, p_list[listed_changed] * width + p_code[listed_changed])
        bad["a listed profile has no cosine"] = np.bincount(p_list[listed_changed][~known], minlength=n) > 0

        # Boundaries a widening passed: at most fewer than the list's length may pass the filters before them.
        c_bound = moves.left_changed_bound
        known_out = np.bincount(c_bound[in_prefix], minlength=moves.count) + np.bincount(
            moves.left_bound[passes_out], minlength=moves.count
        )
        kept = states.kept - known_out + np.bincount(moves.ent_bound[passes_into], minlength=moves.count)
        bad["fewer candidates may pass the filters than the list holds"] = (
            np.bincount(b_list[~main & (kept >= top)], minlength=n) > 0
        )

        # The list's candidates (its last boundary): entrants scored, leavers out.
        ent = main[moves.ent_bound]
        ent_list, ent_row, ent_cos = b_list[moves.ent_bound[ent]], moves.ent_row[ent], moves.ent_cos[ent]
        ent_id, passes = moves.ent_id[ent], passes_into[ent]
        entrants = Pairs(ent_list, ent_row, ent_cos.astype(np.float32))
        parts = self.state.scorer.parts(queries, table, entrants)
        scores = self.state.scorer.totals(parts)
        out_main = main[moves.left_bound]
        left_list, left_row = b_list[moves.left_bound[out_main]], moves.left_row[out_main]
        pushed_out, _ = _member(left_list * span + left_row, p_list * span + p_row)
        changed_main = main[c_bound]
        counted = in_prefix[changed_main] | ~states.complete[b_list[c_bound[changed_main]]]  # passed, or may have
        eligible = (
            eligible
            - np.bincount(b_list[c_bound[changed_main]][counted], minlength=n)
            - np.bincount(left_list[passes_out[out_main]], minlength=n)
            + np.bincount(ent_list[passes], minlength=n)
        )

        # The ranking patched from the prefix: leavers out, entrants ranking before its last entry in.
        p_keep = ~listed_changed & ~pushed_out
        count = np.diff(states.prefix_offsets)
        has_prefix = count > 0
        last = np.maximum(states.prefix_offsets[1:] - 1, 0)
        pids = states.prefix_ids
        last_score = _rounded(states.prefix_values[last, 0]) if pids.size else np.zeros(n)
        last_id = pids[last] if pids.size else ids_array([""] * n)
        mine = _rounded(scores)
        earlier_id = np.asarray(ent_id < last_id[ent_list], dtype=np.bool_)
        before_last = (mine > last_score[ent_list]) | ((mine == last_score[ent_list]) & earlier_id)
        joins = passes & (states.complete[ent_list] | ~has_prefix[ent_list] | before_last)
        n_list = np.concatenate([p_list[p_keep], ent_list[joins]])
        n_id = np.concatenate([pids[p_keep], ent_id[joins]])
        n_rows = np.concatenate([p_row[p_keep], ent_row[joins]])
        n_values = np.concatenate(
            [states.prefix_values[p_keep], np.concatenate([scores[joins, None], parts[joins]], axis=1)]
        ).astype(np.float32)
        # Ties go to the lower id; the ids' ranks order alike and sort far faster than the strings.
        id_rank = self._rows(other_kind(query_kind)).rank
        known_rows = bool((n_rows >= 0).all()) and id_rank.size > 0
        n_key = id_rank[n_rows] if known_rows else n_id
        order = _ranked_order(n_list, _rounded(n_values[:, 0]), n_key)
        n_list, n_id, n_rows, n_values = n_list[order], n_id[order], n_rows[order], n_values[order]
        n_count = np.bincount(n_list, minlength=n).astype(np.int64)
        n_pos = np.arange(n_list.size) - offsets_of(n_count)[n_list]
        complete = states.complete | ~has_prefix
        bad["the reserve ran out"] = ~complete & (n_count < top)
        eligible = np.where(complete, n_count, eligible)
        bad["fewer candidates may pass the filters than the list holds"] |= eligible < top
        now_complete = complete & (n_count <= top + RESERVE)

        # The lists that stay patched, and what they become.
        failed = np.zeros(n, dtype=np.bool_)
        for reason, mask in bad.items():
            fresh = mask & ~failed
            if fresh.any():
                out.reasons[reason] += int(fresh.sum())
            failed |= mask
        ok = ~failed
        out.compute = {lists[i] for i in np.flatnonzero(failed).tolist()}
        chosen = np.flatnonzero(ok)
        renumber = np.full(n, -1, dtype=np.int64)
        renumber[chosen] = np.arange(chosen.size)
        cut = n_pos < top + RESERVE
        n_sel = cut & ok[n_list]
        m_bound = moves.edge_bound
        listed_now, _ = _member(n_list[cut] * span + n_rows[cut], b_list[m_bound] * span + moves.edge_row)
        listed_now &= main[m_bound]
        b_sel = ok[b_list]
        m_sel = moves.edge_keep & b_sel[m_bound]
        mains = np.flatnonzero(main & b_sel)
        out.lists = [lists[i] for i in chosen.tolist()]
        out.fetched = moves.take[mains]
        out.threshold = moves.threshold[mains]
        out.eligible = eligible[chosen]
        out.states = ListStates(
            to_end=moves.to_end[mains],
            complete=now_complete[chosen],
            bound_offsets=offsets_of(np.bincount(b_list[b_sel], minlength=n)[chosen]),
            inside=moves.inside[b_sel],
            kept=np.where(main, 0, kept)[b_sel],
            edge_offsets=offsets_of(np.bincount(m_bound[m_sel], minlength=moves.count)[b_sel]),
            edge_ids=moves.edge_id[m_sel],
            edge_cosine=moves.edge_cos[m_sel].astype(np.float32),
            listed=listed_now[m_sel],
            prefix_offsets=offsets_of(np.bincount(n_list[n_sel], minlength=n)[chosen]),
            prefix_ids=n_id[n_sel],
            prefix_values=n_values[n_sel],
        )
        out.reasons["patched"] += int(chosen.size)
        # (a listed profile no longer in the table is in no new list: a code of its own, past every rank)
        codes = None
        if known_rows:
            old_codes = np.where(p_row >= 0, id_rank[np.maximum(p_row, 0)], id_rank.size + np.arange(p_row.size))
            codes = (old_codes, id_rank[n_rows])
        out.top = self._changes(states, p_list, p_pos, ok, renumber, n_list, n_id, n_values, n_pos, codes)
        out.reasons["patched, matches changed"] += int(
            np.unique(np.concatenate([v["list"] for v in out.top.values()])).size
        )
        return out

    def _changes(
        self,
        states: ListStates,
        p_list: Rows,
        p_pos: Rows,
        ok: Mask,
        renumber: Rows,
        n_list: Rows,
        n_id: Ids,
        n_values: npt.NDArray[np.float32],
        n_pos: Rows,
        codes: tuple[Rows, Rows] | None = None,
    ) -> dict[str, Any]:
        """The stored matches' changes: the old list (the prefix's first entries) against the new one.

        ``codes``: an integer per prefix entry and per new entry, equal where the ids are (default: the ids are
        numbered here)."""
        top = self.top
        old_sel = (p_pos < top) & ok[p_list]
        new_sel = (n_pos < top) & ok[n_list]
        old_list, old_id, old_values = (
            renumber[p_list[old_sel]],
            states.prefix_ids[old_sel],
            states.prefix_values[old_sel],
        )
        old_rank = p_pos[old_sel] + 1
        new_list, new_id, new_values = renumber[n_list[new_sel]], n_id[new_sel], n_values[new_sel]
        new_rank = n_pos[new_sel] + 1
        if codes is None:
            every, numbered = np.unique(np.concatenate([old_id, new_id]).astype(str), return_inverse=True)
            span = max(1, every.size)
            old_code, new_code = numbered[: old_id.size], numbered[old_id.size :]
        else:
            old_code, new_code = codes[0][old_sel], codes[1][new_sel]
            span = int(max(old_code.max(initial=0), new_code.max(initial=0))) + 1
        old_key = old_list * span + old_code
        new_key = new_list * span + new_code
        was, where = _member(old_key, new_key)
        still, _ = _member(new_key, old_key)
        moved = np.zeros(new_key.size, dtype=np.bool_)
        if old_key.size:
            moved = was & ((old_rank[where] != new_rank) | np.any(old_values[where] != new_values, axis=1))
        return {
            "inserted": {
                "list": new_list[~was],
                "id": new_id[~was],
                "rank": new_rank[~was],
                "score": new_values[~was, 0],
                "parts": new_values[~was, 1:],
            },
            "updated": {
                "list": new_list[moved],
                "id": new_id[moved],
                "rank": new_rank[moved],
                "score": new_values[moved, 0],
                "parts": new_values[moved, 1:],
                "previous": old_values[where[moved], 0],
                "changed": _rounded(old_values[where[moved], 0]) != _rounded(new_values[moved, 0]),
            },
            "deleted": {"list": old_list[~still], "id": old_id[~still], "score": old_values[~still, 0]},
        }

    def _moves(
        self,
        query_kind: ProfileKind,
        states: ListStates,
        fetched: Rows,
        near: Reached,
        changes: Changes,
        vectors: Vectors,
        bad: dict[str, Mask],
    ) -> _Moves:
        """Place the changed profiles near each list around each of its boundaries, and move the boundaries."""
        n = len(states)
        table = self.state.tables[other_kind(query_kind)]
        row_of, code = self._rows(other_kind(query_kind)), _Lookup(changes.ids)
        width = max(1, len(changes.ids))
        nb = states.inside.size
        b_list = owner_of(states.bound_offsets)
        level = np.arange(nb) - states.bound_offsets[b_list]
        main = np.zeros(nb, dtype=np.bool_)
        main[states.last_bound()[states.last_bound() >= 0]] = True
        cap = self.wanted * np.power(4, level)
        size = np.where(main, fetched[b_list], cap)  # candidates before each boundary
        b_end = main & states.to_end[b_list]

        # Every id of the states to its row in the table (once), and the changed ones to their position.
        state_rows = row_of(np.concatenate([states.edge_ids, states.prefix_ids]))
        e_row, p_row = state_rows[: states.edge_ids.size], state_rows[states.edge_ids.size :]
        changed_ids = ids_array(changes.ids)
        changed_rows = row_of(changed_ids)
        code_of_row = np.full(len(table) + 1, -1, dtype=np.int64)  # the last entry answers row -1
        code_of_row[changed_rows[changed_rows >= 0]] = np.flatnonzero(changed_rows >= 0)
        e_code, p_code = code_of_row[e_row], code_of_row[p_row]
        for codes, rows, ids in ((e_code, e_row, states.edge_ids), (p_code, p_row, states.prefix_ids)):
            if (rows < 0).any():  # not in the table at all: removed since (a change), looked up by id
                codes[rows < 0] = code(ids[rows < 0])
        e_bound = owner_of(states.edge_offsets)
        e_pos = np.arange(e_bound.size) - states.edge_offsets[e_bound]
        e_cos = states.edge_cosine.astype(np.float64)
        edges = np.diff(states.edge_offsets)
        has_edge = edges > 0
        bad["no edge"] = np.bincount(b_list[~has_edge], minlength=n) > 0
        first = np.minimum(states.edge_offsets[:-1], max(0, e_cos.size - 1))
        last = np.maximum(states.edge_offsets[1:] - 1, 0)
        hi = np.where(has_edge, e_cos[first] if e_cos.size else 0.0, np.inf)
        lo = np.where(has_edge, e_cos[last] if e_cos.size else 0.0, -np.inf)

        # The events of each list, once per boundary of it.
        per = np.diff(states.bound_offsets)[near.lists]
        event = np.repeat(np.arange(near.lists.size), per)
        bound = (
            np.repeat(states.bound_offsets[near.lists], per)
            + np.arange(event.size)
            - np.repeat(offsets_of(per)[:-1], per)
        )
        a, b = near.old.copy(), near.new
        changed = near.changed[event]
        key = bound * width + changed
        changed_in_edge = e_code >= 0
        in_edge, at = _member(e_bound[changed_in_edge] * width + e_code[changed_in_edge], key)
        ev_inside = in_edge.copy()
        if changed_in_edge.any():
            ev_inside &= e_pos[changed_in_edge][at] < states.inside[bound]
        # Old cosines come from the screen (within rounding): those it cannot place are computed exactly.
        a_ok = ~np.isnan(a[event])
        unsure = ~in_edge & a_ok & ~(a[event] > hi[bound] + EXACT_MARGIN)
        unsure &= ~((a[event] < lo[bound] - EXACT_MARGIN) & ~b_end[bound])
        refine = np.unique(event[unsure])
        a[refine] = self._exact_old(query_kind, vectors, near, refine, changes)
        old, new = a[event], b[event]
        b_ok = ~np.isnan(new)
        head_old = ~in_edge & a_ok & (old > hi[bound])
        beyond_old = ~in_edge & a_ok & (old < lo[bound]) & ~b_end[bound]
        head_new = b_ok & (new > hi[bound])
        beyond_new = b_ok & (new < lo[bound]) & ~b_end[bound]
        inserted = b_ok & ~head_new & ~beyond_new
        between = ~in_edge & a_ok & ~head_old & ~beyond_old
        if not self.exact_search(query_kind):
            # A graph's search may miss a profile whose cosine lies within an edge: it was not returned, so it
            # was not among the candidates (what the stored list holds), whatever its cosine.
            beyond_old |= between
            between[:] = False
        tie = np.bincount(b_list[bound[between]], minlength=n) > 0

        # The new edges: their unchanged entries and the changed profiles now inside them, in the index's order.
        keep = ~changed_in_edge
        m_bound = np.concatenate([e_bound[keep], bound[inserted]])
        m_cos = np.concatenate([e_cos[keep], new[inserted]])
        m_was = np.concatenate([(e_pos < states.inside[e_bound])[keep], np.zeros(int(inserted.sum()), np.bool_)])
        m_new = np.concatenate([np.zeros(int(keep.sum()), np.bool_), np.ones(int(inserted.sum()), np.bool_)])
        m_id = np.concatenate([states.edge_ids[keep], changed_ids[changed[inserted]]])
        m_row = np.concatenate([e_row[keep], changed_rows[changed[inserted]]])
        order = np.lexsort((-m_cos, m_bound))
        m_bound, m_cos, m_was, m_new, m_id, m_row = (v[order] for v in (m_bound, m_cos, m_was, m_new, m_id, m_row))
        same = (m_bound[1:] == m_bound[:-1]) & (m_cos[1:] == m_cos[:-1]) & (m_new[1:] | m_new[:-1])
        tie |= np.bincount(b_list[m_bound[1:][same]], minlength=n) > 0
        bad["a changed profile's cosine ties the edge"] = tie
        m_count = np.bincount(m_bound, minlength=nb).astype(np.int64)
        m_pos = np.arange(m_bound.size) - offsets_of(m_count)[m_bound]
        before = (
            size
            - states.inside
            - np.bincount(bound[head_old], minlength=nb)
            + np.bincount(bound[head_new], minlength=nb)
        )
        total = before + m_count
        take = np.where(b_end, np.minimum(cap, total), cap)
        inside = take - before
        invalid = (before < 0) | (inside < 1) | (inside > m_count)
        bad["the boundary left the edge"] = np.bincount(b_list[invalid], minlength=n) > 0
        everything = b_end & (total <= cap)
        at_boundary = np.clip(offsets_of(m_count)[:-1] + inside - 1, 0, max(0, m_cos.size - 1))
        threshold = np.where(everything | (m_cos.size == 0), np.nan, m_cos[at_boundary] if m_cos.size else np.nan)
        m_in = m_pos < inside[m_bound]
        entering = m_in & ~m_was
        start = np.maximum(inside - EDGE, 0)
        return _Moves(
            count=nb,
            bound_list=b_list,
            main=main,
            take=take,
            threshold=threshold,
            inside=inside - start,
            to_end=b_end & (m_count <= inside + EDGE),
            edge_bound=m_bound,
            edge_id=m_id,
            edge_row=m_row,
            edge_cos=m_cos,
            edge_keep=(m_pos >= inside[m_bound] - EDGE) & (m_pos < inside[m_bound] + EDGE),
            ent_bound=np.concatenate([m_bound[entering], bound[head_new]]),
            ent_id=np.concatenate([m_id[entering], changed_ids[changed[head_new]]]),
            ent_row=np.concatenate([m_row[entering], changed_rows[changed[head_new]]]),
            ent_cos=np.concatenate([m_cos[entering], new[head_new]]),
            left_bound=m_bound[~m_in & m_was],
            left_row=m_row[~m_in & m_was],
            left_changed_bound=bound[head_old | ev_inside],
            left_changed_key=b_list[bound[head_old | ev_inside]] * width + changed[head_old | ev_inside],
            event_key_with_old=np.unique(b_list[bound[a_ok | in_edge]] * width + changed[a_ok | in_edge]),
            prefix_rows=p_row,
            prefix_codes=p_code,
        )


@dataclass
class _Moves:
    """How the changes move every boundary of the lists patched (``count`` boundaries, each of a list)."""

    count: int
    bound_list: Rows
    main: Mask
    """Per boundary, whether it is its list's last (the list's candidates)."""
    take: Rows
    """Per boundary, the candidates before it now."""
    threshold: Floats
    inside: Rows
    to_end: Mask
    edge_bound: Rows
    edge_id: Ids
    edge_row: Rows
    edge_cos: Floats
    edge_keep: Mask
    """Per new edge entry, whether it stays in the stored edge (``EDGE`` each side of the boundary)."""
    ent_bound: Rows
    ent_id: Ids
    ent_row: Rows
    ent_cos: Floats
    """Candidates now before each boundary that were not (or changed)."""
    left_bound: Rows
    left_row: Rows
    """Unchanged candidates a boundary now leaves out."""
    left_changed_bound: Rows
    left_changed_key: Rows
    """Changed profiles that were before a boundary: the boundary, and (list, changed profile) keys."""
    event_key_with_old: Rows
    """(list, changed profile) keys of the changed profiles whose old place is known."""
    prefix_rows: Rows
    prefix_codes: Rows


__all__ = ["EXACT_MARGIN", "Changes", "PatchOutcome", "Patcher", "Reached"]
