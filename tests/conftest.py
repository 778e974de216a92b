"""Shared fixtures: the real ESCO release (read from ../shared, never copied) and a small slice of it."""

from __future__ import annotations

import gc
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy.engine import Engine

from esco_data import LoadReport, Taxonomy, load_esco
from matching.linking import Linker
from skillmatch.db import make_engine
from skillmatch.runtime import Runtime
from skillmatch.schema import create_tables
from skillmatch.settings import DEFAULT_ESCO_DIR, REPO_ROOT, Settings
from tests.databases import BACKENDS, PgDatabases, pg_url, sqlite_url
from tests.esco_slice import build_slice
from tests.esco_uris import SLICE_OCCUPATIONS

# Property tests are reproducible in `make test` (the same examples every run, no example database), so that a red
# run is a real defect; `make explore` (HYPOTHESIS_PROFILE=explore) draws new examples, many more of them.
# No deadline in make test: a property test's examples are judged on what they return, never on how long one
# took (a loaded CI machine made a 0.5 ms example take 256 ms, and a timing is not a defect).
hypothesis_settings.register_profile("ci", derandomize=True, database=None, print_blob=True, deadline=None)
hypothesis_settings.register_profile("explore", max_examples=2_000, derandomize=False, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# The tests build what they use: a build cache shared with other data directories (``matching.build_cache``)
# would hand them a concept space built by another run; the tests of the cache give it a folder of their own.
os.environ["SKILLMATCH_BUILD_CACHE_DIR"] = ""

SHARED = REPO_ROOT.parent / "shared"
FULL_SPACE_FILES = frozenset({"tests/test_full_esco.py", "tests/test_stated_skills.py"})
"""The modules over the configured data directory's full concept space: one test process runs them all, so that
it is built once (on a clean clone) while the other processes run the rest."""


@pytest.fixture(autouse=True)
def _unfreeze_after_a_served_app() -> Iterator[None]:
    """A service opened in a test freezes the whole test process's objects (``freeze_start_up_objects``): they
    go back to the garbage collector after the test, so that what later tests drop is still collected."""
    yield
    if gc.get_freeze_count():
        gc.unfreeze()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest work first, so that no process is left running one long module while the others are done
    (``make test`` keeps this order: --no-loadscope-reorder): the full-space modules (on a clean clone they build
    the concept space, the longest single piece of work), then every module with a test marked slow, then the
    rest, each group in file order. Every process collects the same order, as xdist requires."""
    slow_modules = {item.nodeid.split("::", 1)[0] for item in items if item.get_closest_marker("slow") is not None}

    def rank(item: pytest.Item) -> int:
        module = item.nodeid.split("::", 1)[0]
        return 0 if module in FULL_SPACE_FILES else 1 if module in slow_modules else 2

    items.sort(key=rank)  # a stable sort: file order within each group


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Under ``pytest -n N --dist loadfile`` (``make test``): a module's tests run in one process (its module
    fixtures are built once), and the full-concept-space modules in the same one."""
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class ModuleScheduling(LoadFileScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return "full-space" if module in FULL_SPACE_FILES else module

    return ModuleScheduling(config, log)


@pytest.fixture(scope="session")
def esco_dir() -> Path:
    """The full ESCO v1.1.1 release in ../shared."""
    if not (DEFAULT_ESCO_DIR / "en" / "skills_en.csv").exists():
        pytest.fail(f"the shared ESCO release is missing: {DEFAULT_ESCO_DIR}")
    return DEFAULT_ESCO_DIR


@pytest.fixture(scope="session")
def esco_slice_dir(esco_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small ESCO release (a few occupations, their skills and groups) built from the real files."""
    return build_slice(esco_dir, tmp_path_factory.mktemp("esco") / "v1.1.1", SLICE_OCCUPATIONS)


@pytest.fixture(scope="session")
def full_esco_template(esco_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, LoadReport]:
    """A SQLite file with the full ESCO release loaded once per test process, never written after, and the
    load report: ``full_esco_copy`` gives each user a copy of its own (a copy takes a second, a load ten)."""
    path = tmp_path_factory.mktemp("full-template") / "esco.db"
    engine = make_engine(f"sqlite:///{path}")
    report = load_esco(engine, esco_dir)
    engine.dispose()
    return path, report


@pytest.fixture(scope="session")
def full_esco_copy(full_esco_template: tuple[Path, LoadReport], tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Make a database of one's own with the full ESCO release in it: ``full_esco_copy(name) -> Engine``."""
    import sqlite3

    def copy(name: str) -> Engine:
        path = tmp_path_factory.mktemp(name) / "esco.db"
        with sqlite3.connect(full_esco_template[0]) as source, sqlite3.connect(path) as target:
            source.backup(target)
        return make_engine(f"sqlite:///{path}")

    return copy


@pytest.fixture(scope="session")
def full_esco(full_esco_template: tuple[Path, LoadReport], full_esco_copy: Any) -> tuple[Engine, LoadReport]:
    """A database with the full ESCO release loaded once for the session, and the load report."""
    return full_esco_copy("full"), full_esco_template[1]


@pytest.fixture(scope="session")
def taxonomy(full_esco: tuple[Engine, LoadReport]) -> Taxonomy:
    """The full ESCO taxonomy in memory."""
    return Taxonomy.load(full_esco[0])


@pytest.fixture(scope="session")
def slice_engine(esco_slice_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """A database with the ESCO slice loaded."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('slice') / 'esco.db'}")
    load_esco(engine, esco_slice_dir)
    return engine


@pytest.fixture(scope="session")
def slice_taxonomy(slice_engine: Engine) -> Taxonomy:
    """The ESCO slice in memory."""
    return Taxonomy.load(slice_engine)


@pytest.fixture(scope="session")
def pg_databases() -> PgDatabases:
    """The PostgreSQL test server (the test is skipped when there is none)."""
    return PgDatabases(pg_url())


@pytest.fixture(scope="session")
def pg_slice_template(pg_databases: PgDatabases, esco_slice_dir: Path) -> str:
    """The name of a PostgreSQL database with the ESCO slice and every table, copied by each test that needs it."""
    name = f"slice_template_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"  # one per test process
    engine = make_engine(pg_databases.create(name=name))
    load_esco(engine, esco_slice_dir)
    create_tables(engine)
    engine.dispose()  # a template must have no open connection
    return name


@pytest.fixture(scope="session")
def sqlite_slice_template(esco_slice_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with the ESCO slice and every table, copied by each test that needs it."""
    path = tmp_path_factory.mktemp("sqlite-template") / "slice.db"
    engine = make_engine(sqlite_url(path.parent, path.name))
    load_esco(engine, esco_slice_dir)
    create_tables(engine)
    engine.dispose()  # every connection closed: the file holds everything
    return path


def _database(request: pytest.FixtureRequest, tmp_path: Path, name: str, *, esco_slice: bool) -> Iterator[Engine]:
    """A database of one test on the backend of ``request.param``, empty or with the ESCO slice loaded."""
    if request.param == "postgresql":
        template = request.getfixturevalue("pg_slice_template") if esco_slice else None
        engine = make_engine(request.getfixturevalue("pg_databases").create(template=template))
    else:
        if esco_slice:
            shutil.copyfile(request.getfixturevalue("sqlite_slice_template"), tmp_path / name)
        engine = make_engine(sqlite_url(tmp_path, name))
    yield engine
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database for one test, on SQLite and on PostgreSQL."""
    yield from _database(request, tmp_path, "test.db", esco_slice=False)


@pytest.fixture(scope="session")
def slice_settings(slice_engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings whose database holds the ESCO slice and whose data directory is fresh for the session."""
    return Settings(data_dir=tmp_path_factory.mktemp("data"), database_url=str(slice_engine.url))


@pytest.fixture(scope="session")
def slice_runtime(slice_settings: Settings, slice_engine: Engine) -> Runtime:
    """Encoder, concept space, linker and matching engine over the ESCO slice (built once per session)."""
    return Runtime.open(slice_settings, db=slice_engine)


@pytest.fixture(scope="session")
def slice_linker(slice_runtime: Runtime) -> Linker:
    """The linker over the ESCO slice."""
    return slice_runtime.linker


@pytest.fixture(params=BACKENDS)
def slice_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database of its own with the ESCO slice loaded and every table created, on SQLite and on PostgreSQL."""
    yield from _database(request, tmp_path, "slice.db", esco_slice=True)


@pytest.fixture
def fresh_runtime(slice_runtime: Runtime, slice_db: Engine, tmp_path: Path) -> Iterator[Runtime]:
    """A runtime with an empty database of its own (ESCO slice loaded), sharing the session's concept space.

    Use it when a test adds profiles, so that other tests' rankings are not affected.
    """
    runtime = Runtime.open(slice_runtime.settings, db=slice_db, index_dir=tmp_path / "indexes")
    yield runtime
