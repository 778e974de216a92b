"""Batch ingestion's worker processes: each opens its own profile builder over the data directory, and the profiles
they build, in order, are those one process builds."""

from __future__ import annotations

from typing import Any

import pytest

from ingestion.build_pool import MIN_PER_WORKER, BuildPool
from ingestion.models import RecordKind
from ingestion.profile_builder import BuiltProfile, ProfileBuilder
from skillmatch.runtime import Runtime
from tests.factories import SOURDOUGH, jobseeker, vacancy

pytestmark = pytest.mark.slow

TITLES = ["Boulanger", "Bakker", "Comptable", "Boekhouder", "Vendeuse en boulangerie", "Winkelbediende", "Accountant"]
TEXTS = [
    "Je sais pétrir la pâte et cuire le pain au levain.",
    "Ervaring met kassa en klantenservice in een bakkerij.",
    "Tenue de la comptabilité générale et déclarations TVA.",
    "",
]


def _records() -> list[tuple[RecordKind, dict[str, Any]]]:
    """Jobseekers and vacancies in French and Dutch, with titles, typed skills and free texts to link."""
    out: list[tuple[RecordKind, dict[str, Any]]] = []
    for i in range(2 * MIN_PER_WORKER + 5):
        title, text = TITLES[i % len(TITLES)], TEXTS[i % len(TEXTS)]
        if i % 2:
            out.append((RecordKind.vacancy, vacancy(id=f"V-{i}", title=title, description=text or None)))
        else:
            skills = [{"text": SOURDOUGH, "source": "cv"}, {"text": text or title, "source": "dossier"}]
            out.append((RecordKind.jobseeker, jobseeker(id=f"J-{i}", experiences=[{"title": title}], skills=skills)))
    return out


def _plain(built: list[BuiltProfile]) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    return [(b.profile.to_json(), b.links) for b in built]


class _Refused:
    """A factory that must not be called: a small segment is built in the parent."""

    def __call__(self) -> ProfileBuilder:  # pragma: no cover - called only if the test fails
        raise AssertionError("no worker should start")


def test_profiles_built_in_worker_processes_are_those_one_process_builds(slice_runtime: Runtime) -> None:
    service = slice_runtime.ingestion
    records = [service.validate(kind, data)[0] for kind, data in _records()]
    here = service.builder.build(records)
    encoder = slice_runtime.linker.encoder
    with slice_runtime.building_in_processes(2) as pool:
        assert pool is not None and service.pool is pool
        assert slice_runtime.linker.encoder.threads == 1  # one BLAS thread per process while they share the cores
        there = pool.build(service.builder, records)
        assert pool._pool is not None  # the workers did build
    assert service.pool is None and slice_runtime.linker.encoder is encoder
    assert len(there) == len(records)
    assert [b.profile.id for b in there] == [r.id for r in records]
    assert _plain(there) == _plain(here)
    with slice_runtime.building_in_processes(1) as none:
        assert none is None and service.pool is None


def test_a_segment_too_small_to_share_is_built_in_this_process(slice_runtime: Runtime) -> None:
    service = slice_runtime.ingestion
    records = [service.validate(kind, data)[0] for kind, data in _records()[: 2 * MIN_PER_WORKER - 1]]
    pool = BuildPool(_Refused(), 2)
    assert _plain(pool.build(service.builder, records)) == _plain(service.builder.build(records))
    assert pool._pool is None
    with pytest.raises(ValueError, match="at least 2"):
        BuildPool(_Refused(), 1)
