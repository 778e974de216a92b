"""schemathesis hooks: generated ESCO URIs are replaced with URIs of the ESCO slice the test server holds; the
users and tokens the runs sign in with are kept out of the admin run's reach; the jobseeker's run works on their
own dossier.

A random string after ``http://data.europa.eu/esco/skill/`` matches the schema's pattern but names no
concept; the server rightly answers 422 for it (a rule no schema can state). Mapping such URIs onto real ones
lets schemathesis check that schema-valid bodies are accepted.


The module also parses, once and at a shallow stack, the sources of schemathesis' coverage phase for
hypothesis' lambda descriptions: parsing them deep in a generator's recursion raises CPython 3.11's
"AST constructor recursion depth mismatch" SystemError, which schemathesis reports as an internal error.

And it keeps hypothesis' regex strategies per pattern and alphabet for the process (``_memoised_regex_strategy``):
schemathesis asked for the same one again and again, and a pattern over a negated class as wide as the service's
"visible character" (``ingestion.text_clean.VISIBLE``) takes hypothesis about a second to build. That was 125 s
of the test's 183 s (140 builds of six patterns).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import re
import zlib
from typing import Any

import schemathesis
from hypothesis.internal import lambda_sources
from hypothesis.strategies._internal import regex as hypothesis_regex

from ingestion.schemas import ESCO_OCCUPATION_PREFIX, ESCO_SKILL_PREFIX

for name in ("_schema", "_operation", "_wire"):
    module = importlib.import_module(f"schemathesis.specs.openapi.coverage.{name}")
    lines = tuple(inspect.findsource(module)[0])
    lambda_sources.AST_LAMBDAS_CACHE[lines] = lambda_sources.extract_all_lambdas(ast.parse("".join(lines)))

_build_regex_strategy = hypothesis_regex.regex_strategy
_REGEX_STRATEGIES: dict[tuple[Any, ...], Any] = {}


def _memoised_regex_strategy(regex: Any, fullmatch: bool, **kwargs: Any) -> Any:
    """hypothesis' strategy for a pattern, built once per pattern, flags, alphabet and options. A strategy is an
    immutable description of how to draw, so sharing it changes no draw (the run stays reproducible); the alphabet
    is told apart by its description (``characters(codec='utf-8')``), as equal ones come as distinct objects."""
    pattern = regex if isinstance(regex, str | bytes) else regex.pattern
    flags = 0 if isinstance(regex, str | bytes) else regex.flags
    key = (pattern, flags, fullmatch, *sorted((k, repr(v)) for k, v in kwargs.items()))
    if (strategy := _REGEX_STRATEGIES.get(key)) is None:
        strategy = _REGEX_STRATEGIES[key] = _build_regex_strategy(regex, fullmatch, **kwargs)
    return strategy


hypothesis_regex.regex_strategy = _memoised_regex_strategy  # (``st.from_regex`` imports it at each call)

SKILLS = os.environ.get("SKILLMATCH_ST_SKILLS", "").split()
OCCUPATIONS = os.environ.get("SKILLMATCH_ST_OCCUPATIONS", "").split()


ITEM = re.compile(r"^(experiences|desired_occupations)\[[0-9]+\]$")
"""A correction's ``item`` (a title of the dossier): any index matches the schema, but only the test dossier's
first experience exists (the server rightly answers 422 for another, a rule no schema can state)."""


def _known(value: Any) -> Any:
    if isinstance(value, str):
        if ITEM.match(value):
            return "experiences[0]"
        # A stable hash (str's hash changes with each process): the same case maps to the same URI every run.
        if value.startswith(ESCO_SKILL_PREFIX) and SKILLS and value not in SKILLS:
            return SKILLS[zlib.crc32(value.encode()) % len(SKILLS)]
        if value.startswith(ESCO_OCCUPATION_PREFIX) and OCCUPATIONS and value not in OCCUPATIONS:
            return OCCUPATIONS[zlib.crc32(value.encode()) % len(OCCUPATIONS)]
        return value
    if isinstance(value, list):
        return [_known(v) for v in value]
    if isinstance(value, dict):
        return {k: _known(v) for k, v in value.items()}
    return value


def _ids(name: str) -> set[str]:
    return set(os.environ.get(name, "").split())


PROTECTED = {"user_id": _ids("SKILLMATCH_ST_PROTECTED_USERS"), "token_id": _ids("SKILLMATCH_ST_PROTECTED_TOKENS")}
"""The users and tokens the runs sign in with, by id (``tests/test_schemathesis.py``)."""
SPARE = {"user_id": os.environ.get("SKILLMATCH_ST_SPARE_USER"), "token_id": os.environ.get("SKILLMATCH_ST_SPARE_TOKEN")}
"""A user and a token that take the admin run's calls on a protected one (disabled, revoked: nobody signs in
with them)."""
OWN_DOSSIER = os.environ.get("SKILLMATCH_ST_OWN_DOSSIER")
"""In the jobseeker's run, the dossier they own: their operations are called on it."""
RECORD_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
"""A record id as the schema has it (``ingestion.schemas.RecordId``)."""


PAIR = (os.environ.get("SKILLMATCH_ST_VACANCY"), os.environ.get("SKILLMATCH_ST_DOSSIER"))
"""The test's vacancy and dossier: an operation on a pair of them (the shortlist, one candidate's place) is called
on that pair, which exists, instead of on ids that do not (404 every time: the operation was never reached)."""


ERASED = {
    ("DELETE", "/jobseekers/{jobseeker_id}"): {
        "jobseeker_id": (PAIR[1], os.environ.get("SKILLMATCH_ST_SPARE_DOSSIER"))
    },
    ("DELETE", "/vacancies/{vacancy_id}"): {"vacancy_id": (PAIR[0], os.environ.get("SKILLMATCH_ST_SPARE_VACANCY"))},
}
"""Per erasing operation, the test's record it would erase and the spare erased instead."""
CONTEST = os.environ.get("SKILLMATCH_ST_CONTEST")
"""The test's one contest: answering it is reached (any other id answers 404 every time)."""


def _path(parameters: dict[str, Any], own: str | None) -> dict[str, Any]:
    mapped = dict(parameters)
    pair = (str(mapped.get("vacancy_id", "")), str(mapped.get("jobseeker_id", "")))
    if None not in PAIR and all(RECORD_ID.fullmatch(i) for i in pair):
        mapped["vacancy_id"], mapped["jobseeker_id"] = PAIR
    if CONTEST is not None and str(mapped.get("contest_id", "")).isdigit() and int(mapped["contest_id"]) > 0:
        mapped["contest_id"] = int(CONTEST)
    for name, spare in SPARE.items():
        if spare is not None and str(mapped.get(name)) in PROTECTED[name]:
            mapped[name] = int(spare)
    # (a schema-valid id only: an invalid one is the coverage phase's case of a refusal, and stays)
    if own is not None and RECORD_ID.fullmatch(str(mapped.get("jobseeker_id", ""))):
        mapped["jobseeker_id"] = own
    return mapped


@schemathesis.hook
def map_case(ctx: Any, case: Any) -> Any:
    """Real ESCO URIs and the dossier's own titles in request bodies and queries (every phase, the coverage
    phase included)."""
    if isinstance(case.body, (dict, list)):
        case.body = _known(case.body)
    if isinstance(case.query, dict):
        case.query = _known(case.query)
    return case


@schemathesis.hook
def before_call(ctx: Any, case: Any, kwargs: dict[str, Any]) -> None:
    """The runs' own users and tokens out of the admin's reach, and the jobseeker's own dossier, in every call of
    every phase (explicit examples and the stateful phase's linked values included, which ``map_case`` does not
    see; schemathesis judges the case again after this edit)."""
    if isinstance(case.path_parameters, dict):
        mapped = _path(case.path_parameters, OWN_DOSSIER)
        # The test's dossier and vacancy are erased by no run (the operations above work on them): a spare takes it.
        for name, (kept, spare) in ERASED.get((case.method.upper(), case.path), {}).items():
            if kept is not None and spare is not None and mapped.get(name) == kept:
                mapped[name] = spare
        if mapped != case.path_parameters:  # (an edit makes schemathesis judge the case again)
            case.path_parameters = mapped
