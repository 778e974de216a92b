"""Bringing lists up to date from the changes of the other kind, without searching or ranking them again.

A list is what ``rank_lists`` makes of its query's candidates: the ``wanted`` profiles of the other kind with the
highest cosine, in the index's order. A change of the other kind takes a profile's old vector out of that order
and puts its new one in; the list's candidates change only when one of the two lies before the list's search
boundary or within its stored edge (``matching.rematch.state``). So, for each list that a change can reach:

1. Move the boundary. Changed profiles are placed by the cosine the index gives them (computed for the pair
   alone, bit for bit as a search reports it): before the edge, inside it, or past it. Each one removed before
   the boundary brings the next candidate in, each one added before it pushes the last one out; while the
   boundary stays within the edge, the new candidates, the new boundary and its cosine are known. Otherwise (or
   on an exact tie of cosines, or an index that cannot give them) the list is computed again.
2. Score only what entered (changed profiles, and edge candidates the boundary now includes) with the scorer,
   and filter it; candidates that left drop out.
3. Patch the ranking from stored scores: the list and its reserve are the prefix of the ranking of the eligible
   candidates, and every other one ranks after its last entry. Entrants that rank before it join; leavers leave.
   When what is left still holds the list's length, it is the new list (exact); when not, or when fewer
   candidates than the list's length may pass the filters (the search would widen), the list is computed again.

The result equals what ``rank_lists`` gives on the same data: the same candidates, and each candidate's score
computed by the same function from the same inputs (a pair's score does not depend on the pairs scored with it).
Lists whose search was widened and lists with staff decisions have no state and are computed again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from matching.profiles import ProfileKind
from matching.ranking import EDGE, Pairs, Queries, filter_pairs, other_kind, wanted_for
from matching.rematch.compute import BATCH_FILTERS, RESERVE, BatchState, ChunkResult
from matching.rematch.state import WIDTH, ListState

Vectors = npt.NDArray[np.float32]
EXACT_MARGIN = 1e-5
"""Cosines the index computes and those planning computes with a matrix product may differ by rounding."""
BLOCK = 8192

Entry = tuple[str, float, tuple[float, ...]]
"""(id, score, score parts) of a ranked candidate."""
ReadMatches = Callable[[list[str]], dict[str, list[Entry]]]
"""Reads the stored matches of some lists of one kind, best first."""


@dataclass
class Changes:
    """The changed profiles of one kind, with their vectors as of the base run and now."""

    ids: list[str]
    old: dict[str, Vectors]
    """Vectors as of the base run (absent: the profile was not matchable then)."""
    new: dict[str, Vectors]
    """Vectors now (absent: the profile is not matchable now)."""


@dataclass
class Patch:
    """A list brought up to date: its new state, and its new matches (None: as stored)."""

    query_id: str
    fetched: int
    threshold: float | None
    eligible: int
    state: ListState
    matches: list[Entry] | None


@dataclass
class PatchPlan:
    """The outcome of patching some lists: the patched ones, those to compute again, and why."""

    patches: dict[str, Patch] = field(default_factory=dict)
    compute: set[str] = field(default_factory=set)
    reasons: Counter[str] = field(default_factory=Counter)


def patch_result(query_kind: ProfileKind, patches: dict[str, Patch], ids: Sequence[str]) -> ChunkResult:
    """The patches of some lists as a chunk result to commit."""
    offsets: list[int] = [0]
    match_ids: list[str] = []
    scores: list[float] = []
    parts: list[tuple[float, ...]] = []
    fetched: list[int] = []
    thresholds: list[float | None] = []
    eligible: list[int] = []
    states: list[ListState | None] = []
    as_stored: list[bool] = []
    for qid in ids:
        patch = patches[qid]
        for mid, score, values in patch.matches or []:
            match_ids.append(mid)
            scores.append(score)
            parts.append(values)
        offsets.append(len(match_ids))
        fetched.append(patch.fetched)
        thresholds.append(patch.threshold)
        eligible.append(patch.eligible)
        states.append(patch.state)
        as_stored.append(patch.matches is None)
    return ChunkResult(
        query_kind,
        list(ids),
        np.asarray(offsets, dtype=np.int64),
        match_ids,
        np.asarray(scores, dtype=np.float32),
        np.asarray(parts, dtype=np.float32).reshape(-1, WIDTH - 1),
        fetched,
        thresholds,
        eligible,
        states,
        patched=True,
        as_stored=as_stored,
    )


@dataclass
class _Moved:
    """How the changes move one list's candidates, before anything is scored."""

    qid: str
    edge: list[tuple[str, float, bool]]
    """The new edge: (id, cosine, in the prefix)."""
    inside: int
    to_end: bool
    fetched: int
    threshold: float | None
    entrants: list[tuple[str, float]]
    """Candidates now returned that were not (or changed): (id, cosine)."""
    left_changed: list[tuple[str, bool | None]]
    """Changed profiles that were candidates: (id, whether they passed the filters; None: unknown)."""
    left_unchanged: list[str]
    """Unchanged candidates the boundary now leaves out."""
    prefix_left: set[str]
    """Leavers that were in the prefix (the list or its reserve)."""


def _key(scores: npt.NDArray[np.float64], ids: Sequence[str]) -> list[tuple[float, str]]:
    """Sort keys of the one order of every list: score at the precision shown, highest first, then id."""
    return list(zip((-np.round(scores, 6)).tolist(), ids, strict=True))


def _move(
    qid: str,
    state: ListState,
    fetched: int,
    wanted: int,
    events: dict[str, tuple[float | None, float | None]],
    changed: set[str],
    holding: set[str],
) -> _Moved | str:
    """Place one list's changed profiles by cosine and move its boundary (a reason string: compute it again)."""
    ids, cos = state.edge_ids, state.edge_cosine.tolist()
    hi, lo = cos[0], cos[-1]
    position = {pid: i for i, pid in enumerate(ids)}
    reserve = set(state.reserve_ids)
    removed_before = 0
    added_before: list[tuple[str, float]] = []
    inserted: list[tuple[str, float]] = []
    gone: set[str] = set()
    left_changed: list[tuple[str, bool | None]] = []
    prefix_left: set[str] = set()
    for c in {*events, *holding, *(pid for pid in ids if pid in changed)}:
        a, b = events.get(c, (None, None))
        i = position.get(c)
        was_candidate = False
        if i is not None:
            gone.add(c)
            was_candidate = i < state.inside
        elif a is not None:
            if a > hi:
                removed_before += 1
                was_candidate = True
            elif not (a < lo and not state.to_end):
                return "a changed profile's cosine ties the edge"
        elif c in holding:
            return "a listed profile has no cosine"
        if was_candidate:
            listed = c in holding or c in reserve or (i is not None and state.listed[i])
            left_changed.append((c, True if listed else (False if state.complete else None)))
            if listed:
                prefix_left.add(c)
        if b is not None:
            if b > hi:
                added_before.append((c, b))
            elif b < lo and not state.to_end:
                pass
            else:
                inserted.append((c, b))
    edge = [(pid, cos[i], state.listed[i], i < state.inside) for i, pid in enumerate(ids) if pid not in gone]
    if inserted:
        taken = {c for _, c, _, _ in edge}
        if any(b in taken for _, b in inserted) or len({b for _, b in inserted}) < len(inserted):
            return "a changed profile's cosine ties the edge"
        edge = sorted(edge + [(c, b, False, False) for c, b in inserted], key=lambda e: -e[1])
    before = fetched - state.inside - removed_before + len(added_before)
    total = before + len(edge)
    take = min(wanted, total) if state.to_end else wanted
    inside = take - before
    if before < 0 or inside < 1 or inside > len(edge):
        return "the boundary left the edge"
    entrants = added_before + [(pid, c) for pid, c, _, was in edge[:inside] if not was]
    left_unchanged = [pid for pid, _, _, was in edge[inside:] if was]
    prefix_left |= {pid for pid, _, listed, was in edge[inside:] if was and listed}
    everything = state.to_end and total <= wanted
    start, end = max(0, inside - EDGE), min(len(edge), inside + EDGE)
    return _Moved(
        qid=qid,
        edge=[(pid, c, listed) for pid, c, listed, _ in edge[start:end]],
        inside=inside - start,
        to_end=state.to_end and end == len(edge),
        fetched=take,
        threshold=None if everything else edge[inside - 1][1],
        entrants=entrants,
        left_changed=left_changed,
        left_unchanged=left_unchanged,
        prefix_left=prefix_left,
    )


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

    def reached(
        self,
        query_kind: ProfileKind,
        queries: Sequence[str],
        query_vectors: dict[str, Vectors],
        screen: dict[str, tuple[float | None, float | None, bool]],
        changes: Changes,
    ) -> dict[str, dict[str, tuple[float | None, float | None]]]:
        """The lists a change can reach, with the cosines (exact, as the index reports them) of the changed
        profiles near each: {query: {changed id: (old cosine, new cosine)}}.

        A list is reached when a changed profile's old or new cosine (from a matrix product, within a margin for
        rounding and 8-bit codes) reaches the lowest cosine that matters to it: its edge's last one, or its
        threshold when it has no state, or any when its search returned every profile.
        """
        index = self.state.indexes[other_kind(query_kind)]
        old_ids = [c for c in changes.ids if c in changes.old]
        new_ids = [c for c in changes.ids if c in changes.new]
        dim = index.dim
        old = np.stack([changes.old[c] for c in old_ids]) if old_ids else np.zeros((0, dim), np.float32)
        new = np.stack([changes.new[c] for c in new_ids]) if new_ids else np.zeros((0, dim), np.float32)
        margins = [(2 * index.reconstruction_error(v) + EXACT_MARGIN).astype(np.float32) for v in (old, new)]
        pairs: list[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], int]] = []
        for start in range(0, len(queries), BLOCK):
            block = queries[start : start + BLOCK]
            x = np.stack([query_vectors[q] for q in block])
            low = np.asarray(
                [np.nan if (s := screen[q])[2] is False and s[0] is None else (s[1] if s[2] else s[0]) for q in block],
                dtype=np.float64,
            )
            low = np.where(np.isnan(low), -np.inf, low)
            for side, (vectors, margin) in enumerate(zip((old, new), margins, strict=True)):
                if len(vectors):
                    hit = (x @ vectors.T + margin[None, :]) >= low[:, None]
                    rows, cols = np.nonzero(hit)
                    pairs.append((rows + start, cols.astype(np.int64), side))
        found: dict[str, dict[str, tuple[float | None, float | None]]] = {}
        for side, ids, vectors in ((0, old_ids, old), (1, new_ids, new)):
            qi = np.concatenate([p[0] for p in pairs if p[2] == side] or [np.zeros(0, np.int64)])
            vi = np.concatenate([p[1] for p in pairs if p[2] == side] or [np.zeros(0, np.int64)])
            if not qi.size:
                continue
            wanted = np.unique(qi)
            where = np.searchsorted(wanted, qi)
            x = np.stack([query_vectors[queries[int(q)]] for q in wanted])
            exact = index.pair_cosines(x, vectors, where, vi)
            values = exact.tolist() if exact is not None else [None] * qi.size
            for q, v, value in zip(qi.tolist(), vi.tolist(), values, strict=True):
                a, b = found.setdefault(queries[q], {}).get(ids[v], (None, None))
                if value is None:
                    value = np.nan  # the index cannot tell: the list is computed again
                found[queries[q]][ids[v]] = (value, b) if side == 0 else (a, value)
        return found

    def patch(
        self,
        query_kind: ProfileKind,
        reached: dict[str, dict[str, tuple[float | None, float | None]]],
        holding: dict[str, set[str]],
        stored: dict[str, tuple[int, int, ListState]],
        changes: Changes,
        read_matches: ReadMatches,
    ) -> PatchPlan:
        """Patch the reached lists that have a state; the others are to be computed again.

        Args:
            query_kind: the lists' kind.
            reached: per reached list, the changed profiles near it and their cosines (``reached``); lists that
                hold a changed profile must be among them.
            holding: per list, the changed profiles its stored matches hold.
            stored: per list with a state: (fetched, eligible, state).
            changes: the other kind's changes.
            read_matches: reads the stored matches of some lists (``RematchRepository.stored_matches`` bound to
                the kind).

        Returns:
            The patches, and the lists to compute again with the reason.
        """
        plan = PatchPlan()
        changed = set(changes.ids)
        moved: list[tuple[_Moved, int]] = []
        for qid in sorted(set(reached) | set(holding)):
            found = stored.get(qid)
            events = reached.get(qid, {})
            if found is None:
                plan.compute.add(qid)
                plan.reasons["no state (widened, curated or older)"] += 1
                continue
            if any(a is not None and np.isnan(a) or b is not None and np.isnan(b) for a, b in events.values()):
                plan.compute.add(qid)
                plan.reasons["the index gives no pair cosine"] += 1
                continue
            fetched, eligible, state = found
            outcome = _move(qid, state, fetched, self.wanted, events, changed, holding.get(qid, set()))
            if isinstance(outcome, str):
                plan.compute.add(qid)
                plan.reasons[outcome] += 1
                continue
            moved.append((outcome, eligible))
        self._finish(query_kind, moved, stored, plan, read_matches)
        return plan

    def _finish(
        self,
        query_kind: ProfileKind,
        moved: list[tuple[_Moved, int]],
        stored: dict[str, tuple[int, int, ListState]],
        plan: PatchPlan,
        read_matches: ReadMatches,
    ) -> None:
        """Score the entrants, filter the leavers, and patch each list's ranking."""
        scorer, qtable = self.state.scorer, self.state.tables[query_kind]
        table = self.state.tables[other_kind(query_kind)]
        queries = Queries(query_kind, qtable, np.asarray([qtable.row_of[m.qid] for m, _ in moved], dtype=np.int64))
        owner: list[int] = []
        rows: list[int] = []
        cosine: list[float] = []
        for i, (m, _) in enumerate(moved):
            for pid, c in m.entrants:
                owner.append(i)
                rows.append(table.row_of[pid])
                cosine.append(c)
        entrants = Pairs(np.asarray(owner, np.int64), np.asarray(rows, np.int64), np.asarray(cosine, np.float32))
        parts = scorer.parts(queries, table, entrants)
        totals = scorer.totals(parts)
        passes = filter_pairs(BATCH_FILTERS, queries, table, entrants)
        leavers = Pairs(
            np.asarray([i for i, (m, _) in enumerate(moved) for _ in m.left_unchanged], np.int64),
            np.asarray([table.row_of[pid] for m, _ in moved for pid in m.left_unchanged], np.int64),
            np.zeros(sum(len(m.left_unchanged) for m, _ in moved), np.float32),
        )
        left_passed = np.bincount(
            leavers.query[filter_pairs(BATCH_FILTERS, queries, table, leavers)], minlength=len(moved)
        )
        keys = _key(totals.astype(np.float64), [table.ids[r] for r in rows])
        by_list: list[list[int]] = [[] for _ in moved]
        for j, i in enumerate(owner):
            by_list[i].append(j)
        pending: list[tuple[_Moved, int, list[int]]] = []
        for i, (m, eligible) in enumerate(moved):
            state = stored[m.qid][2]
            joining = [j for j in by_list[i] if passes[j]]
            left = sum(1 for _, passed in m.left_changed if passed is not False) + int(left_passed[i])
            eligible = eligible - left + len(joining)
            last = _key(np.asarray([state.last_score], np.float64), [state.last_id])[0]
            if not state.complete:
                joining = [j for j in joining if keys[j] < last]
            if eligible < self.top:
                plan.compute.add(m.qid)
                plan.reasons["fewer candidates may pass the filters than the list holds"] += 1
            elif not joining and not m.prefix_left:
                plan.patches[m.qid] = Patch(
                    m.qid, m.fetched, m.threshold, eligible, self._state(m, state, None), matches=None
                )
                plan.reasons["patched, matches as stored"] += 1
            else:
                pending.append((m, eligible, joining))
        lists = read_matches([m.qid for m, _, _ in pending]) if pending else {}
        for m, eligible, joining in pending:
            state = stored[m.qid][2]
            prefix: list[Entry] = list(lists.get(m.qid, []))
            prefix += [
                (pid, float(v[0]), tuple(float(x) for x in v[1:]))
                for pid, v in zip(state.reserve_ids, state.reserve_values.tolist(), strict=True)
            ]
            prefix = [e for e in prefix if e[0] not in m.prefix_left]
            prefix += [(table.ids[rows[j]], float(totals[j]), tuple(parts[j].tolist())) for j in joining]
            order = sorted(
                range(len(prefix)), key=_key(np.asarray([e[1] for e in prefix]), [e[0] for e in prefix]).__getitem__
            )
            ranked = [prefix[k] for k in order]
            if state.complete:
                eligible = len(ranked)
            elif len(ranked) < self.top:
                plan.compute.add(m.qid)
                plan.reasons["the reserve ran out"] += 1
                continue
            kept = ranked[: self.top + RESERVE]
            complete = state.complete and len(ranked) <= self.top + RESERVE
            new_state = self._state(m, state, (kept, complete))
            same = [e[0] for e in kept[: self.top]] == [e[0] for e in lists.get(m.qid, [])]
            same = same and all(a == b for a, b in zip(kept[: self.top], lists.get(m.qid, []), strict=False))
            plan.patches[m.qid] = Patch(
                m.qid, m.fetched, m.threshold, eligible, new_state, matches=None if same else kept[: self.top]
            )
            plan.reasons["patched, matches changed" if not same else "patched, matches as stored"] += 1

    def _state(self, m: _Moved, old: ListState, prefix: tuple[list[Entry], bool] | None) -> ListState:
        """The list's new state: the moved edge, and the new prefix (None: the old one)."""
        if prefix is None:
            reserve_ids, reserve_values = old.reserve_ids, old.reserve_values
            complete, last_id, last_score = old.complete, old.last_id, old.last_score
            listed = [flag for _, _, flag in m.edge]
        else:
            kept, complete = prefix
            tail = kept[self.top :]
            reserve_ids = [e[0] for e in tail]
            reserve_values = np.asarray([[e[1], *e[2]] for e in tail], dtype=np.float32).reshape(-1, WIDTH)
            last_id, last_score = (kept[-1][0], kept[-1][1]) if kept else ("", float("nan"))
            names = {e[0] for e in kept}
            listed = [pid in names for pid, _, _ in m.edge]
        return ListState(
            edge_ids=[pid for pid, _, _ in m.edge],
            edge_cosine=np.asarray([c for _, c, _ in m.edge], dtype=np.float32),
            listed=listed,
            inside=m.inside,
            to_end=m.to_end,
            reserve_ids=list(reserve_ids),
            reserve_values=np.asarray(reserve_values, dtype=np.float32).reshape(-1, WIDTH),
            complete=complete,
            last_id=last_id,
            last_score=last_score,
        )


__all__ = ["EXACT_MARGIN", "Changes", "Patch", "PatchPlan", "Patcher", "patch_result"]
