"""The nightly rematch: every list in both directions, computed in bulk exactly as the online path ranks.

- ``compute``: a chunk of lists on a worker (``matching.ranking.rank_lists`` over many queries, the vacancy's
  own hard filters).
- ``planner``: which lists a run computes, patches or removes (all, or every list a change can reach) and the
  run's snapshot.
- ``patch`` and ``state``: a list brought up to date from a change without searching or ranking it again, from
  what the last run kept of it (the candidates around its search's boundary, a reserve past its end).
- ``runner``: a run from start to end (resume, plan, execute on an executor, commit chunk by chunk).
- ``repository`` and ``tables``: runs, chunks, lists, what changed, vectors.
- ``expiry``: vacancies past their closing date leave matching.
- ``curation``: consultants' pins and exclusions on the lists (the hook their store plugs into).
"""

from matching.rematch.compute import BATCH_FILTERS, BatchState, ChunkResult, score_chunk
from matching.rematch.curation import NO_CURATIONS, CuratedList, Curations, ListCuration, NoCurations
from matching.rematch.expiry import close_expired
from matching.rematch.patch import Changes, Patcher, PatchOutcome
from matching.rematch.planner import Plan, plan_run, snapshot
from matching.rematch.repository import PlannedChunk, RematchRepository, RunInfo, StoredMatch
from matching.rematch.runner import ChunkExecutor, ChunkTask, LocalExecutor, RunOptions, RunOutcome, run_rematch
from matching.rematch.state import ListStates
from matching.rematch.tables import create_tables

__all__ = [
    "BATCH_FILTERS",
    "NO_CURATIONS",
    "BatchState",
    "ChunkExecutor",
    "ChunkResult",
    "ChunkTask",
    "Changes",
    "CuratedList",
    "Curations",
    "ListCuration",
    "ListStates",
    "LocalExecutor",
    "NoCurations",
    "PatchOutcome",
    "Patcher",
    "Plan",
    "PlannedChunk",
    "RematchRepository",
    "RunInfo",
    "RunOptions",
    "RunOutcome",
    "StoredMatch",
    "close_expired",
    "create_tables",
    "plan_run",
    "run_rematch",
    "score_chunk",
    "snapshot",
]
