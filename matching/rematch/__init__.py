"""The nightly rematch: every list in both directions, computed in bulk exactly as the online path ranks.

- ``compute``: a chunk of lists on a worker (batched index search, the vacancy's own hard filters, the scorer).
- ``planner``: which lists a run computes (all, or every list a change can reach) and the run's snapshot.
- ``runner``: a run from start to end (resume, plan, execute on an executor, commit chunk by chunk).
- ``repository`` and ``tables``: runs, chunks, lists, what changed, vectors.
- ``expiry``: vacancies past their closing date leave matching.
- ``curation``: consultants' pins and exclusions on the lists (the hook their store plugs into).
"""

from matching.rematch.compute import BATCH_FILTERS, BatchState, ChunkResult, score_chunk
from matching.rematch.curation import NO_CURATIONS, CuratedList, Curations, ListCuration, NoCurations
from matching.rematch.expiry import close_expired
from matching.rematch.planner import Plan, plan_run, snapshot
from matching.rematch.repository import PlannedChunk, RematchRepository, RunInfo, StoredMatch
from matching.rematch.runner import ChunkExecutor, ChunkTask, RunOptions, RunOutcome, run_rematch
from matching.rematch.tables import create_tables

__all__ = [
    "BATCH_FILTERS",
    "NO_CURATIONS",
    "BatchState",
    "ChunkExecutor",
    "ChunkResult",
    "ChunkTask",
    "CuratedList",
    "Curations",
    "ListCuration",
    "NoCurations",
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
