"""schemathesis over the OpenAPI document, with a token per role: every check, the coverage phase (the
boundaries of every parameter and body), at least 20 fuzzed examples per operation, the stateful phase
included. Every operation is run by a role that may call it (the authorisation matrix covers the refusals).

In ``make test`` the run is reproducible: a fixed seed, deterministic generation and no example database, so a
red run is a real defect that the next run finds again. ``make explore`` (``SKILLMATCH_EXPLORE=1``) runs it
with a fresh seed and many more examples, to look for new ones."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.auth import AuthConfig, Role
from api.auth.policy import rule_for
from api.config import ApiConfig
from api.main import create_app
from esco_data import ConceptKind, load_esco
from ingestion.models import RecordKind
from skillmatch.db import make_engine
from skillmatch.rematch import rematch
from skillmatch.runtime import Runtime
from skillmatch.settings import REPO_ROOT
from tests.auth import OWN_DOSSIER, Tokens, make_tokens
from tests.browser import serve
from tests.factories import jobseeker, vacancy

pytestmark = pytest.mark.slow
EXPLORE = os.environ.get("SKILLMATCH_EXPLORE") == "1"
EXAMPLES = 500 if EXPLORE else 20
CONFIG = Path(__file__).with_name("schemathesis.toml")
SPARE_DOSSIER, SPARE_VACANCY = "J-SPARE", "V-SPARE"
"""Records the admin run erases instead of the test's own (``tests/schemathesis_hooks.py``)."""


@pytest.fixture(scope="module")
def service(
    slice_runtime: Runtime, esco_slice_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Tokens, Runtime, int]]:
    folder = tmp_path_factory.mktemp("schemathesis")
    db = make_engine(f"sqlite:///{folder / 'st.db'}")
    load_esco(db, esco_slice_dir)
    runtime = Runtime.open(slice_runtime.settings, db=db, index_dir=folder / "indexes")
    runtime.ingestion.ingest_one(RecordKind.jobseeker, jobseeker())
    runtime.ingestion.ingest_one(RecordKind.vacancy, vacancy())
    runtime.ingestion.ingest_one(RecordKind.jobseeker, jobseeker(id=SPARE_DOSSIER))  # erased instead (the hooks)
    runtime.ingestion.ingest_one(RecordKind.vacancy, vacancy(id=SPARE_VACANCY))
    contest = runtime.fairness.rights.contest(str(jobseeker()["id"]), "Pourquoi me propose-t-on ce métier ?")
    runtime.save()  # the rematch below opens the saved indexes
    # A nightly run, so that the rematch's operations answer from a run (without one they answer 404 only).
    rematch(slice_runtime.settings.model_copy(update={"index_dir": folder / "indexes"}), workers=1, send=False, db=db)
    app = create_app(db=db, services=runtime, config=ApiConfig(auth=AuthConfig(failures_per_minute=0)))
    with serve(app) as base:
        yield base, make_tokens(db), runtime, int(contest["id"])
    db.dispose()


def _identities(tokens: Tokens) -> dict[str, str]:
    """What the hooks need to keep the runs' own users and tokens out of the admin's reach: the admin run
    disables users and revokes tokens by id, and ids 1, 2, 3 are the first any generator tries (the consultant's
    and the admin's own: their runs then met only 401 and tested nothing). A spare user and token take those
    calls instead. Also the test's vacancy and dossier, which operations on a pair of them are called on."""
    store = tokens.store
    _ = tokens.of(Role.jobseeker)  # issued now, so that its user and token are protected too
    protected_users = [u.id for u in store.users()]
    protected_tokens = [t.id for t in store.tokens()]
    spare = store.add_user(f"spare-{tokens.n}", Role.consultant)
    spare_token = store.issue(spare.id, days=1).info.id
    return {
        "SKILLMATCH_ST_PROTECTED_USERS": " ".join(map(str, protected_users)),
        "SKILLMATCH_ST_PROTECTED_TOKENS": " ".join(map(str, protected_tokens)),
        "SKILLMATCH_ST_SPARE_USER": str(spare.id),
        "SKILLMATCH_ST_SPARE_TOKEN": str(spare_token),
        "SKILLMATCH_ST_VACANCY": str(vacancy()["id"]),
        "SKILLMATCH_ST_DOSSIER": str(jobseeker()["id"]),
        "SKILLMATCH_ST_SPARE_DOSSIER": SPARE_DOSSIER,
        "SKILLMATCH_ST_SPARE_VACANCY": SPARE_VACANCY,
    }


REFUSED = re.compile(r"^(401 Unauthorized|403 Forbidden) \(\d+ operations?\):$", re.MULTILINE)
"""schemathesis' warning that operations answered only 401 or 403: the run's token did not reach them."""


NOT_SCHEMA_CHECKED = {"POST /admin/audit/attributes", "POST /admin/recruiting/link"}
"""Operations schemathesis cannot judge. The audit attributes' body is not JSON: what a valid audit CSV holds
(its columns) cannot be said in JSON Schema, so schemathesis would call any string schema-valid
(``tests/test_api_fairness.py`` tests that route instead). Linking the shortage list takes no input at all, so
there is nothing to generate, and it links every title of the list: on a loaded machine it outlasts any request
time limit (``tests/test_api_fairness.py`` calls it)."""


def _operations(role: Role) -> list[str]:
    """``METHOD /path`` of the API operations a role may call (but those in ``NOT_SCHEMA_CHECKED``)."""
    from fastapi.routing import iter_route_contexts

    app = create_app(db=make_engine("sqlite://"))
    out = []
    for route in iter_route_contexts(app.routes):
        if not getattr(route, "include_in_schema", False):
            continue
        for method in sorted(route.methods or ()):
            rule = rule_for(method, route.path)
            # (a consultant on a rights route acts only at the jobseeker's request: the matrix tests that)
            desk_only = rule is not None and rule.desk and role not in rule.roles and role is Role.consultant
            if rule is not None and (rule.public or rule.admits(role)) and not desk_only:
                out.append(f"{method} {route.path}")
    return [op for op in out if op not in NOT_SCHEMA_CHECKED]


def _command(base: str, token: str, ops: list[str]) -> list[str]:
    return [
        str(Path(sys.executable).with_name("st")), "--config-file", str(CONFIG), "run", f"{base}/openapi.json",
        "--checks", "all",
        "--max-examples", str(EXAMPLES),
        "--phases", "examples,coverage,fuzzing,stateful",
        # Hypothesis' health check on how examples are drawn (with 20 examples, one operation's draws were "filtered
        # too much"): it says nothing of how the service answers, and a red run must mean a defect.
        "--suppress-health-check", "filter_too_much",
        "--header", f"Authorization: Bearer {token}",
        *[arg for op in ops for arg in ("--include-name", op)],
        "--workers", "1",  # hypothesis is not thread-safe here (internal errors with 2)
        # A first request builds the linker's first-use parts and links real text: seconds, and many more on a
        # loaded machine (21 s seen for a dossier). Speed is measured by the benchmarks, never judged here: the
        # default 10 s limit would report the machine's load as a defect.
        "--request-timeout", "120",
        "--max-response-time", "120",
        *([] if EXPLORE else ["--seed", "20261201", "--generation-deterministic"]),  # (deterministic: no database)
        "--no-color",
    ]  # fmt: skip


def test_schemathesis_finds_no_failure_for_any_role(service: tuple[str, Tokens, Runtime, int], tmp_path: Path) -> None:
    """One schemathesis process per role, side by side (the service serves them all at once)."""
    base, tokens, runtime, contest = service
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "tests.schemathesis_hooks",
        "SKILLMATCH_ST_SKILLS": " ".join(c.uri for c in runtime.taxonomy.concepts(ConceptKind.skill)),
        "SKILLMATCH_ST_OCCUPATIONS": " ".join(c.uri for c in runtime.taxonomy.concepts(ConceptKind.occupation)),
        "PYTHONPATH": str(REPO_ROOT),
        **_identities(tokens),
        "SKILLMATCH_ST_CONTEST": str(contest),
    }
    runs = {}
    tested: set[str] = set()
    for role in sorted(Role, key=lambda r: -len(_operations(r))):
        # In make test each operation is run once, by the first role (the one with most operations) that may call
        # it: what an operation answers to a role it refuses is the authorisation matrix's test, and the run's
        # time goes to the service's one thread. make explore runs every role over all its operations.
        ops = _operations(role) if EXPLORE else [op for op in _operations(role) if op not in tested]
        tested |= set(ops)
        if not ops:
            continue
        log = (tmp_path / f"schemathesis-{role.value}.log").open("w")
        command = _command(base, tokens.of(role), ops)
        # The jobseeker's operations are on their own dossier (another's is the authorisation matrix's test).
        own = {"SKILLMATCH_ST_OWN_DOSSIER": OWN_DOSSIER} if role is Role.jobseeker else {}
        runs[role] = (
            subprocess.Popen(command, env=env | own, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT),
            log,
        )
    failed = {}
    for role, (process, log) in runs.items():
        code = process.wait(timeout=1200)
        log.close()
        said = (tmp_path / f"schemathesis-{role.value}.log").read_text()
        if code != 0 or REFUSED.search(said):  # a run its token no longer reaches tests nothing
            failed[role.value] = said[-5000:]
    if failed:  # the whole summary of each failing role, not an assertion's shortened repr
        pytest.fail("\n\n".join(f"schemathesis as {role}:\n{text}" for role, text in failed.items()))
