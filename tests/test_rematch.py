"""The nightly rematch: batch lists equal the online ones; incremental equals full; kill -9 and resume; a lock;
two workers equal one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from matching.profiles import Origin, Profile, ProfileConcept, ProfileKind, ProfileStore, Role
from matching.ranking import COMPONENTS, IndexType
from matching.rematch import BATCH_FILTERS, ListCuration, RematchRepository
from matching.rematch.tables import RematchChunk, RematchList, RematchMatch, table
from skillmatch.rematch import MatchingState, rematch, run_lock
from skillmatch.runtime import Runtime
from tests.esco_uris import SLICE_OCCUPATIONS
from tests.rematch_data import SliceProfiles, StaffDecisions
from tests.rematch_env import Env, make_env

TOP = 5
TODAY = date(2026, 6, 1)
SKILLMATCH = str(Path(sys.executable).parent / "skillmatch")


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A local Dask cluster of two worker processes shared by the module's in-process runs."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0") as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def population(slice_runtime: Runtime) -> list[Profile]:
    """300 jobseekers and 160 vacancies: more than the 100 candidates a list's search fetches, both ways."""
    return SliceProfiles(slice_runtime.taxonomy).population(300, 160)


@pytest.fixture
def env(slice_runtime: Runtime, esco_slice_dir: Path, tmp_path: Path, population: list[Profile]) -> Env:
    return make_env(tmp_path / "a", slice_runtime.settings.data_dir / "concept_space", esco_slice_dir, population)


def _run(env: Env, scheduler: str | None, **kwargs: object) -> object:
    return rematch(env.settings, top=TOP, scheduler=scheduler, today=TODAY, **kwargs)  # type: ignore[arg-type]


def _online_equals_stored(env: Env) -> int:
    """Every stored list against the online query of the same profile with the vacancy's own hard filters."""
    state = MatchingState.open(env.settings)
    repository = RematchRepository(env.db)
    compared = 0
    for kind in ProfileKind:
        for profile in state.store.all(kind, active_only=True):
            online = state.engine.match(kind, profile.id, TOP, BATCH_FILTERS)
            stored = repository.list_of(kind, profile.id)
            assert [(m.id, m.score, m.components) for m in online] == [
                (s.match_id, s.score, s.components) for s in stored
            ], f"{kind.value} {profile.id}"
            compared += 1
    state.db.dispose()
    return compared


@pytest.mark.parametrize("index_type", ["flat", "hnsw"])
def test_batch_lists_equal_the_online_queries(env: Env, scheduler: str, index_type: str) -> None:
    env.settings.index_type = IndexType(index_type)
    report = _run(env, scheduler, full=True, chunk_size=64)
    run = report.outcome.run  # type: ignore[attr-defined]
    assert run.status == "succeeded" and run.mode == "full"
    assert run.counts["diff"]["lists"] == 460
    assert _online_equals_stored(env) == 460


def _member_lists(repository: RematchRepository, kind: ProfileKind, member: str) -> set[str]:
    return {
        q for (k, q), items in repository.all_lists().items() if k == kind.value and member in {m for m, *_ in items}
    }


def test_incremental_run_equals_a_full_run(env: Env, scheduler: str, tmp_path: Path) -> None:
    _run(env, scheduler, full=True)
    repository, store = RematchRepository(env.db), ProfileStore(env.db)
    lists = repository.all_lists()
    vacancy_lists = {q: [m for m, *_ in items] for (k, q), items in lists.items() if k == "vacancy"}
    jobseeker_lists = {q: [m for m, *_ in items] for (k, q), items in lists.items() if k == "jobseeker"}
    # 1. A jobseeker outside a vacancy's list becomes its ideal candidate: it must enter that list.
    target = "V0007"
    outsider = next(j for j in sorted(jobseeker_lists) if j not in vacancy_lists[target])
    wanted = store.get(ProfileKind.vacancy, target)
    ideal = store.get(ProfileKind.jobseeker, outsider)
    ideal.skills = [ProfileConcept(c.uri, Role.held, Origin.confirmed, 1.0) for c in wanted.skills]
    ideal.occupations = list(wanted.occupations)
    ideal.languages = {"fr": 6, "nl": 6, "en": 6}
    ideal.driving_licences = ("B",)
    ideal.postcode = wanted.postcode
    # 2. A jobseeker in some vacancy's list is deactivated: it must leave it.
    leaver = vacancy_lists["V0003"][0]
    gone = store.get(ProfileKind.jobseeker, leaver)
    gone.active = False
    store.upsert([ideal, gone])
    # 3. A vacancy in some jobseeker's list is removed; 4. another passes its closing date.
    removed = jobseeker_lists["J0010"][0]
    expired = next(v for v in jobseeker_lists["J0020"] if v != removed)
    store.delete(ProfileKind.vacancy, [removed])
    closing = store.get(ProfileKind.vacancy, expired)
    closing.attributes["valid_until"] = (TODAY - timedelta(days=1)).isoformat()
    # 5. A new vacancy made for one jobseeker must enter that jobseeker's list.
    chosen = store.get(ProfileKind.jobseeker, "J0042")
    new = Profile(
        ProfileKind.vacancy,
        "V9999",
        lang="fr",
        skills=[ProfileConcept(c.uri, Role.required, Origin.confirmed, 1.0) for c in chosen.skills[:4]],
        occupations=list(chosen.occupations),
        languages={"fr": 1},
        postcode=chosen.postcode,
    )
    store.upsert([closing, new])
    full_env = env.copy(tmp_path / "full")

    report = _run(env, scheduler)
    run = report.outcome.run  # type: ignore[attr-defined]
    assert run.mode == "incremental"
    computed = run.counts["lists_to_compute"]
    assert 0 < computed["vacancy"] < 160 and 0 < computed["jobseeker"] < 300, computed
    after = repository.all_lists()
    members = {key: [m for m, *_ in items] for key, items in after.items()}
    assert outsider in members[("vacancy", target)]
    assert leaver not in members[("vacancy", "V0003")] and ("jobseeker", leaver) not in members
    assert removed not in members[("jobseeker", "J0010")] and ("vacancy", removed) not in members
    assert expired not in members[("jobseeker", "J0020")] and ("vacancy", expired) not in members
    assert "V9999" in members[("jobseeker", "J0042")]
    assert not _member_lists(repository, ProfileKind.jobseeker, removed)
    assert run.counts["diff"]["new"] > 0 and run.counts["diff"]["dropped"] > 0

    _run(full_env, scheduler, full=True)
    assert after == RematchRepository(full_env.db).all_lists()


def _rows(env: Env) -> dict[tuple[str, str, str], tuple[int, float, float | None, int, int]]:
    """Every stored match row: (kind, list, match) -> (rank, score, previous score, since run, run id)."""
    m = table(RematchMatch)
    with env.db.connect() as conn:
        found = conn.execute(
            select(
                m.c.query_kind,
                m.c.query_id,
                m.c.match_id,
                m.c.rank,
                m.c.score,
                m.c.previous_score,
                m.c.since_run,
                m.c.run_id,
            )
        ).all()
    return {(k, q, mid): (rank, score, prev, since, run) for k, q, mid, rank, score, prev, since, run in found}


def test_a_run_writes_only_what_changed_and_keeps_each_match_s_history(env: Env, scheduler: str) -> None:
    first = _run(env, scheduler, full=True).outcome.run  # type: ignore[attr-defined]
    rows = _rows(env)
    assert rows and all(prev is None and since == run == first.id for _, _, prev, since, run in rows.values())
    second = _run(env, scheduler, full=True).outcome.run  # type: ignore[attr-defined]
    assert [second.counts["diff"][k] for k in ("new", "dropped", "changed")] == [0, 0, 0]
    again = _rows(env)
    assert again.keys() == rows.keys()
    # The second run rewrote every row once (the previous score was unknown); a third run finds them as stored.
    assert all(
        prev == score and since == first.id and run == second.id for _, score, prev, since, run in again.values()
    )
    third = _run(env, scheduler, full=True).outcome.run  # type: ignore[attr-defined]
    assert _rows(env) == again
    lists = table(RematchList)
    with env.db.connect() as conn:
        assert set(conn.execute(select(lists.c.run_id)).scalars()) == {third.id}

    # A vacancy asks for one more skill: scores of its candidates move, some may enter or leave; ranks stay 1..n.
    store = ProfileStore(env.db)
    vacancy = store.get(ProfileKind.vacancy, "V0004")
    held = store.get(ProfileKind.jobseeker, sorted(q for k, q, _ in again if k == "jobseeker")[0])
    vacancy.skills = [
        *vacancy.skills,
        *(ProfileConcept(c.uri, Role.required, Origin.confirmed, 1.0) for c in held.skills[:3]),
    ]
    store.upsert([vacancy])
    report = _run(env, None)  # few lists to compute: in this process, no cluster started
    assert (report.workers, report.dashboard) == (0, None)  # type: ignore[attr-defined]
    fourth = report.outcome.run  # type: ignore[attr-defined]
    assert fourth.counts["diff"]["changed"] > 0
    now = _rows(env)
    for key, (rank, score, prev, since, run) in now.items():
        before = again.get(key)
        if before is None:
            assert prev is None and since == run == fourth.id, key
        elif before[:2] != (rank, score):
            assert prev == before[1] and since == first.id and run == fourth.id, key
        else:
            assert (prev, since, run) == before[2:], key
    by_list: dict[tuple[str, str], list[int]] = {}
    for (k, q, _), (rank, *_) in now.items():
        by_list.setdefault((k, q), []).append(rank)
    assert all(sorted(ranks) == list(range(1, len(ranks) + 1)) for ranks in by_list.values())


def test_two_workers_give_what_one_gives(env: Env, tmp_path: Path) -> None:
    other = env.copy(tmp_path / "two")
    one = _run(env, None, full=True, workers=1, chunk_size=50, local_lists=0)
    two = _run(other, None, full=True, workers=2, chunk_size=50, local_lists=0)
    assert (one.workers, two.workers) == (1, 2)  # type: ignore[attr-defined]
    assert two.dashboard and two.dashboard.startswith("http://127.0.0.1:")  # type: ignore[attr-defined]
    assert RematchRepository(env.db).all_lists() == RematchRepository(other.db).all_lists()


def test_pins_and_exclusions_apply_and_an_incremental_run_recomputes_their_lists(
    env: Env, scheduler: str, tmp_path: Path
) -> None:
    _run(env, scheduler, full=True)
    repository = RematchRepository(env.db)
    before = {key: [m for m, *_ in items] for key, items in repository.all_lists().items()}
    vacancy, jobseeker = "V0005", "J0011"
    excluded = before[("vacancy", vacancy)][0]
    pinned = next(j for j in sorted(q for k, q in before if k == "jobseeker") if j not in before[("vacancy", vacancy)])
    unwanted = before[("jobseeker", jobseeker)][1]
    decisions = StaffDecisions()
    decisions.decide(ProfileKind.vacancy, vacancy, ListCuration(pinned=(pinned,), excluded=frozenset({excluded})))
    decisions.decide(ProfileKind.jobseeker, jobseeker, ListCuration(excluded=frozenset({unwanted})))
    full_env = env.copy(tmp_path / "full")

    run = _run(env, scheduler, curations=decisions).outcome.run  # type: ignore[attr-defined]
    assert run.mode == "incremental"
    assert run.counts["lists_to_compute"] == {"jobseeker": 1, "vacancy": 1}
    after = {key: [m for m, *_ in items] for key, items in repository.all_lists().items()}
    online = [m for m in before[("vacancy", vacancy)] if m not in {excluded, pinned}]
    assert after[("vacancy", vacancy)][0] == pinned and excluded not in after[("vacancy", vacancy)]
    assert after[("vacancy", vacancy)][1:] == online[: len(after[("vacancy", vacancy)]) - 1]
    assert len(after[("vacancy", vacancy)]) == TOP
    assert unwanted not in after[("jobseeker", jobseeker)] and len(after[("jobseeker", jobseeker)]) == TOP
    assert {k: v for k, v in after.items() if k not in {("vacancy", vacancy), ("jobseeker", jobseeker)}} == {
        k: v for k, v in before.items() if k not in {("vacancy", vacancy), ("jobseeker", jobseeker)}
    }
    pin = repository.list_of(ProfileKind.vacancy, vacancy)[0]
    assert pin.match_id == pinned and set(pin.components) == set(COMPONENTS) and pin.score > 0

    _run(full_env, scheduler, full=True, curations=decisions)
    assert repository.all_lists() == RematchRepository(full_env.db).all_lists()


def _committed(env: Env) -> tuple[int, int]:
    chunks = table(RematchChunk)
    with env.db.connect() as conn:
        done = conn.execute(select(func.count()).where(chunks.c.committed)).scalar_one()
        total = conn.execute(select(func.count()).select_from(chunks)).scalar_one()
    return int(done), int(total)


@pytest.mark.slow
def test_kill_9_mid_run_then_resume_gives_an_uninterrupted_run(env: Env, tmp_path: Path) -> None:
    untouched = env.copy(tmp_path / "untouched")
    environ = os.environ | env.environ() | {"SKILLMATCH_REMATCH_LOCAL_LISTS": "0"}  # on a cluster, as at scale
    command = [SKILLMATCH, "rematch", "--all", "--top", str(TOP), "--workers", "1", "--chunk-size", "20"]
    slow = subprocess.Popen(
        command,
        env=environ | {"SKILLMATCH_REMATCH_PAUSE_SECONDS": "0.5"},
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 180
        while _committed(env)[0] < 3:
            assert slow.poll() is None, slow.stdout.read().decode() if slow.stdout else ""
            assert time.monotonic() < deadline, "the run never committed a chunk"
            time.sleep(0.2)
    finally:
        os.killpg(slow.pid, signal.SIGKILL)
        slow.wait(timeout=30)
    done, total = _committed(env)
    assert 0 < done < total
    assert RematchRepository(env.db).latest_run().status == "running"  # type: ignore[union-attr]

    resumed = subprocess.run(command, env=environ, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert f"Resuming run 1 (full) at chunk {done + 1} of {total}" in resumed.stderr
    assert "Run 1 (full, resumed) succeeded" in resumed.stdout
    plain = subprocess.run(command, env=os.environ | untouched.environ(), capture_output=True, text=True, timeout=300)
    assert plain.returncode == 0, plain.stderr

    lists = RematchRepository(env.db).all_lists()
    assert lists == RematchRepository(untouched.db).all_lists()
    matches = table(RematchMatch)
    with env.db.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(matches)).scalar_one()
    assert rows == sum(len(items) for items in lists.values())
    run = RematchRepository(env.db).run(1)
    assert run is not None and run.counts["diff"]["new"] == rows and _committed(env) == (total, total)


def test_a_second_run_while_one_holds_the_lock_fails_at_once(env: Env) -> None:
    with run_lock(env.settings.data_dir / "rematch.lock"):
        busy = subprocess.run(
            [SKILLMATCH, "rematch", "--all", "--top", str(TOP)],
            env=os.environ | env.environ(),
            capture_output=True,
            text=True,
            timeout=180,
        )
    assert busy.returncode == 1
    assert f"another rematch is running (pid {os.getpid()} since" in busy.stderr
    assert RematchRepository(env.db).latest_run() is None


def test_no_earlier_run_and_unknown_scheduler_fail_clearly(env: Env) -> None:
    result = subprocess.run(
        [SKILLMATCH, "rematch", "--scheduler", "tcp://127.0.0.1:9"],
        # The rematch tries a scheduler for 30 s by default; nothing listens on port 9, 3 s say as much.
        env=os.environ | env.environ() | {"SKILLMATCH_REMATCH_CONNECT_SECONDS": "3"},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("Error: the rematch failed")


def test_slice_has_the_occupations_the_data_needs(slice_runtime: Runtime) -> None:
    assert len(SliceProfiles(slice_runtime.taxonomy).occupations) >= len(SLICE_OCCUPATIONS) - 3


def test_a_succeeded_run_is_followed_by_the_exposure_audit_when_groups_were_imported(env: Env, scheduler: str) -> None:
    from matching.fairness import ExposureStore

    audit = ExposureStore(env.db)
    assert _run(env, scheduler, full=True).exposure is None  # type: ignore[attr-defined]
    assert audit.runs() == []  # nothing to count without the groups
    jobseekers = sorted(p.id for p in ProfileStore(env.db).all(ProfileKind.jobseeker))
    audit.import_rows({"id": j, "gender": "F" if i % 2 else "M"} for i, j in enumerate(jobseekers))
    report = _run(env, scheduler)
    done = report.exposure  # type: ignore[attr-defined]
    assert done is not None and done.run_id is not None
    stored = audit.run(done.run_id)
    assert stored is not None and stored["source"] == "rematch"
    vacancies = sum(1 for _ in ProfileStore(env.db).all(ProfileKind.vacancy, active_only=True))
    assert stored["lists"] == done.lists == vacancies
    for view in ("engine", "shown"):
        assert set(stored["report"][view]["attributes"]["gender"]) == {"F", "M"}
    # The counterfactual check ran with it over the run's engine: every open vacancy's list compared (this
    # data directory holds profiles without their dossiers, so the swap has nothing to change here).
    check = stored["report"]["counterfactual"]
    assert check == done.counterfactual
    assert check["v2j_rbo"]["lists"] == vacancies and check["changed"] == 0
