"""The tables of the batch rematch: runs, their chunks, the current lists and what each run changed.

- ``rematch_run``: one row per run, with its parameters, versions, store generations, counts, timings and diff.
- ``rematch_chunk``: the run's plan, cut in chunks; a chunk is committed in the same transaction as its lists,
  so a run that stops at any point resumes at the first chunk not committed.
- ``rematch_match``: the current lists, one row per (list, match), with the six score parts and the run in
  which the match entered the list (``since_run``: "new since the last run" reads it).
- ``rematch_list``: per list, what the next incremental run needs to know which lists a change can reach and to
  bring them up to date (the cosine of the last candidate the index returned, how many were fetched and how many
  passed the filters, the candidates around the search's boundary and the ranked ones past the list's end).
- ``rematch_dropped``: matches a run took out of a list, with their last score.
- ``rematch_vector`` / ``rematch_staged_vector``: the exact profile vector of every matchable profile as of the
  last successful run (what the next run compares changes against), and the run's new vectors until it succeeds.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, Text
from sqlalchemy.engine import Engine
from sqlmodel import Field, SQLModel


class RematchRun(SQLModel, table=True):
    """One rematch run."""

    __tablename__ = "rematch_run"

    id: int | None = Field(default=None, primary_key=True)
    mode: str = Field(max_length=16)
    """``full`` or ``incremental``."""
    status: str = Field(max_length=16, index=True)
    """``running``, ``succeeded``, ``failed`` or ``abandoned`` (interrupted, then the data changed)."""
    base_run_id: int | None = None
    """The successful run an incremental run starts from."""
    top: int
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    versions: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    """ESCO version and checksum, model, engine fingerprint."""
    generations: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    """The profile store generation of each kind the run's lists reflect."""
    counts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    timings: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    started_at: datetime
    finished_at: datetime | None = None


class RematchChunk(SQLModel, table=True):
    """One chunk of a run's plan: the lists of some query profiles of one kind to compute or to remove."""

    __tablename__ = "rematch_chunk"

    run_id: int = Field(primary_key=True)
    seq: int = Field(primary_key=True)
    query_kind: str = Field(max_length=16)
    action: str = Field(max_length=16)
    """``compute`` or ``remove``."""
    query_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    committed: bool = False
    counts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    seconds: float | None = None
    """Compute time of the chunk on its worker."""
    committed_at: datetime | None = None


class RematchMatch(SQLModel, table=True):
    """One match of one list: a vacancy's candidate (query_kind vacancy) or a jobseeker's vacancy."""

    __tablename__ = "rematch_match"
    __table_args__ = (
        Index("ix_rematch_match_member", "query_kind", "match_id"),
        Index("ix_rematch_match_since_run", "since_run"),
        {"sqlite_with_rowid": False},
    )

    query_kind: str = Field(primary_key=True, max_length=16)
    query_id: str = Field(primary_key=True, max_length=64)
    match_id: str = Field(primary_key=True, max_length=64)
    rank: int
    score: float
    cosine: float
    essential: float
    optional: float
    occupation: float
    language: float
    location: float
    previous_score: float | None = None
    """The score before the run that last computed the list (None: the match is new in that run)."""
    since_run: int
    """The run in which the match entered the list (and stayed since)."""
    run_id: int
    """The run that last wrote this row (a run leaves a match it finds exactly as stored untouched; the run that
    last computed the list is ``RematchList.run_id``)."""


class RematchList(SQLModel, table=True):
    """What the last computation (or patch) of one list saw of the index, and what a patch starts from."""

    __tablename__ = "rematch_list"

    query_kind: str = Field(primary_key=True, max_length=16)
    query_id: str = Field(primary_key=True, max_length=64)
    run_id: int
    fetched: int
    """Candidates the index returned (after the online path's widening, when the filters left too few)."""
    threshold: float | None = None
    """Cosine of the last candidate returned; None when the index returned every profile it holds."""
    eligible: int
    """Candidates that passed the hard filters (after a patch: at least this many)."""
    edge_low: float | None = None
    """The lowest cosine at which a changed profile can change the list: the cosine of the last candidate of its
    edge (None: any, or no state)."""
    state: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    """The list's edge and reserve (``matching.rematch.state.ListState``); None: a change that reaches the list
    computes it again."""


class RematchDropped(SQLModel, table=True):
    """A match that a run took out of a list."""

    __tablename__ = "rematch_dropped"

    run_id: int = Field(primary_key=True)
    query_kind: str = Field(primary_key=True, max_length=16)
    query_id: str = Field(primary_key=True, max_length=64)
    match_id: str = Field(primary_key=True, max_length=64)
    score: float


class RematchVector(SQLModel, table=True):
    """The exact profile vector (float32) of a matchable profile, as of the last successful run."""

    __tablename__ = "rematch_vector"

    kind: str = Field(primary_key=True, max_length=16)
    id: str = Field(primary_key=True, max_length=64)
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class RematchStagedVector(SQLModel, table=True):
    """A run's new vector of a changed profile (``vector`` None: it left matching), applied when the run succeeds."""

    __tablename__ = "rematch_staged_vector"

    run_id: int = Field(primary_key=True)
    kind: str = Field(primary_key=True, max_length=16)
    id: str = Field(primary_key=True, max_length=64)
    vector: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))


REMATCH_MODELS: list[Any] = [
    RematchRun,
    RematchChunk,
    RematchMatch,
    RematchList,
    RematchDropped,
    RematchVector,
    RematchStagedVector,
]
REMATCH_TABLES = [model.__table__ for model in REMATCH_MODELS]


def table(model: Any) -> Any:
    """The SQLAlchemy table of a model."""
    return model.__table__


def create_tables(engine: Engine) -> None:
    """Create the rematch tables that do not exist yet."""
    SQLModel.metadata.create_all(engine, tables=REMATCH_TABLES)


__all__ = [
    "REMATCH_TABLES",
    "RematchChunk",
    "RematchDropped",
    "RematchList",
    "RematchMatch",
    "RematchRun",
    "RematchStagedVector",
    "RematchVector",
    "create_tables",
    "table",
]
