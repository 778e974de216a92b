"""Explanations claim only what the dossier says, recomputed from the raw records of a whole benchmark set.

matching-real-dev (344 real offers, 885 dossiers) is ingested through the normal path, and a consultant confirms
a missing skill on a few dossiers (``ingestion.corrections``); then every explanation of the top 10 in both
directions is checked against the raw records: each matched skill is a coded competence of the jobseeker's record,
or one a consultant confirmed (a correction of that dossier says so), or its evidence span lies inside the named
field of the raw record and that text links to that skill again; a skill only inferred from an occupation is never
matched. Needs the full ESCO release and the configured concept space: marked slow.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ingestion.adapters import RecordFormat, adapter
from ingestion.models import RecordKind
from ingestion.readers import read_file
from matching.profiles import ProfileKind
from matching.ranking import SkillExplanation
from skillmatch.runtime import Runtime
from skillmatch.settings import REPO_ROOT, get_settings

pytestmark = pytest.mark.slow
REAL_MATCHING = REPO_ROOT.parent / "shared" / "eval" / "real-offers-dev" / "matching-real-dev"
_PART = re.compile(r"^(\w+)(?:\[(\d+)\])?$")


@pytest.fixture(scope="module")
def ingested(
    tmp_path_factory: pytest.TempPathFactory, full_esco_copy: Any
) -> Iterator[tuple[Runtime, dict[str, dict[str, Any]]]]:
    """The runtime with matching-real-dev ingested, and the jobseekers' raw records (native layout) by id."""
    settings = get_settings()
    tmp: Path = tmp_path_factory.mktemp("stated")
    db = full_esco_copy("stated-db")
    runtime = Runtime.open(settings, db=db, index_dir=tmp / "indexes")
    jobseekers: dict[str, dict[str, Any]] = {}
    for kind, name in ((RecordKind.jobseeker, "jobseekers.jsonl"), (RecordKind.vacancy, "vacancies.jsonl")):
        records = list(read_file(REAL_MATCHING / name))
        summary = runtime.ingestion.ingest(kind, records, source=name, fmt=RecordFormat.matching_dev)
        assert summary.quarantined == 0, summary.as_dict()
        if kind is RecordKind.jobseeker:
            native = adapter(kind.value, RecordFormat.matching_dev)
            jobseekers = {r.data["id"]: native(r.data) for r in records if r.data is not None}
    # A consultant confirms, on the best candidates of some vacancies, a skill the vacancy requires and they lack.
    for vacancy_id in [r.data["id"] for r in read_file(REAL_MATCHING / "vacancies.jsonl") if r.data is not None][:20]:
        for match in runtime.engine.match(ProfileKind.vacancy, vacancy_id, k=1):
            assert match.explanation is not None
            for item in match.explanation.missing[:1]:
                runtime.corrections.add_skill(
                    RecordKind.jobseeker, match.id, item.skill.uri, actor="user:1", role="consultant", teach=False
                )
    yield runtime, jobseekers
    db.dispose()


def field_value(record: dict[str, Any], path: str) -> Any:
    """The value of a field path ("skills[2].text", "experiences[0].description", "summary") in a raw record."""
    value: Any = record
    for part in path.split("."):
        found = _PART.match(part)
        if found is None or not isinstance(value, dict):
            return None
        value = value.get(found.group(1))
        if found.group(2) is not None:
            i = int(found.group(2))
            value = value[i] if isinstance(value, list) and i < len(value) else None
    return value


def test_every_matched_skill_is_stated_in_the_raw_record(ingested: tuple[Runtime, dict[str, dict[str, Any]]]) -> None:
    runtime, jobseekers = ingested
    engine, linker = runtime.engine, runtime.linker
    vacancies = [r.data["id"] for r in read_file(REAL_MATCHING / "vacancies.jsonl") if r.data is not None]
    explained: list[tuple[str, SkillExplanation]] = []
    likely = 0
    for kind, ids in ((ProfileKind.vacancy, vacancies), (ProfileKind.jobseeker, list(jobseekers))):
        for query_id in ids:
            for match in engine.match(kind, query_id, k=10):
                assert match.explanation is not None
                holder = match.id if kind is ProfileKind.vacancy else query_id
                matched = {s.skill.uri for s in match.explanation.matched}
                for item in match.explanation.likely:
                    assert item.skill.uri not in matched and item.evidence is None
                    assert 0 < item.credit < 1
                    likely += 1
                explained += [(holder, s) for s in match.explanation.matched]
                explained += [(holder, s) for s in match.explanation.nice_to_have if s.status == "matched"]
    assert len(explained) > 500 and likely > 100

    # Recompute every claim from the raw record: a coded URI (or one a consultant confirmed), or a text that links
    # to the skill again.
    confirmed = 0
    short: dict[str, str] = {}
    long: dict[tuple[str, str], set[tuple[int, int]]] = {}
    for holder, item in explained:
        record, uri = jobseekers[holder], item.skill.uri
        assert item.evidence is not None, (holder, uri)
        path = item.evidence["field"]
        value = field_value(record, path)
        if path.endswith(".uri"):
            if value != uri:  # not in the raw record: a consultant must have confirmed it on this dossier
                history = runtime.corrections.history(RecordKind.jobseeker, holder)
                assert any(c["action"] == "add_skill" and c["chosen"] == uri for c in history), (holder, path)
                confirmed += 1
            continue
        assert isinstance(value, str), (holder, path)
        # A skill read from text names its span; one without (a title's occupation's skill) was inferred.
        assert "span" in item.evidence, (holder, uri, item.evidence)
        start, end = item.evidence["span"]
        assert 0 <= start < end <= len(value), (holder, path, start, end)
        if re.fullmatch(r"skills\[\d+\]\.text", path):
            assert (start, end) == (0, len(value))
            short[value] = uri
        else:
            long.setdefault((value, uri), set()).add((start, end))
    texts = list(short)
    for text, found in zip(texts, linker.skills.link_phrases(texts), strict=True):
        assert found is not None and found.uri == short[text], text
    assert confirmed > 0
    pairs = list(long)
    for (text, uri), found in zip(pairs, linker.extract_many([t for t, _ in pairs], "skill"), strict=True):
        assert long[(text, uri)] <= {(f.start, f.end) for f in found if f.uri == uri}, (text, uri)
