"""schemathesis hooks: generated ESCO URIs are replaced with URIs of the ESCO slice the test server holds.

A random string after ``http://data.europa.eu/esco/skill/`` matches the schema's pattern but names no
concept; the server rightly answers 422 for it (a rule no schema can state). Mapping such URIs onto real ones
lets schemathesis check that schema-valid bodies are accepted.
"""

from __future__ import annotations

import os
from typing import Any

import schemathesis

from ingestion.schemas import ESCO_OCCUPATION_PREFIX, ESCO_SKILL_PREFIX

SKILLS = os.environ.get("SKILLMATCH_ST_SKILLS", "").split()
OCCUPATIONS = os.environ.get("SKILLMATCH_ST_OCCUPATIONS", "").split()


def _known(value: Any) -> Any:
    if isinstance(value, str):
        if value.startswith(ESCO_SKILL_PREFIX) and SKILLS and value not in SKILLS:
            return SKILLS[hash(value) % len(SKILLS)]
        if value.startswith(ESCO_OCCUPATION_PREFIX) and OCCUPATIONS and value not in OCCUPATIONS:
            return OCCUPATIONS[hash(value) % len(OCCUPATIONS)]
        return value
    if isinstance(value, list):
        return [_known(v) for v in value]
    if isinstance(value, dict):
        return {k: _known(v) for k, v in value.items()}
    return value


@schemathesis.hook
def map_case(ctx: Any, case: Any) -> Any:
    """Real ESCO URIs in request bodies (every phase, the coverage phase included)."""
    if isinstance(case.body, (dict, list)):
        case.body = _known(case.body)
    return case
