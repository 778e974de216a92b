"""Typeahead speed over the full ESCO taxonomy: build time, then per-keystroke latency.

Usage:
    python -m benchmarks.typeahead [--queries 2000]

The index is built and stored in a scratch folder, then mapped from it as a server's later start does. For
random ESCO skill and occupation labels in French, Dutch and English, every prefix a person types (1 to 12
characters of a word, seeded) is searched in the mapped index as the typeahead does it (10 results). Prints one
JSON line: build seconds (storing included), map seconds, query count, p50/p99/max latency in milliseconds,
and the share of queries whose label's concept is in the 10 results once 6 characters are typed.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from api.typeahead import Typeahead
from benchmarks.common import percentile
from esco_data import ConceptKind, LabelType, Taxonomy
from skillmatch.db import make_engine
from skillmatch.settings import get_settings


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=2000)
    args = parser.parse_args(argv)
    taxonomy = Taxonomy.load(make_engine(get_settings().database_url))
    scratch = tempfile.TemporaryDirectory(prefix="typeahead-")
    store = Path(scratch.name) / "typeahead"
    started = time.perf_counter()
    Typeahead(taxonomy, store=store).build()
    build = time.perf_counter() - started
    started = time.perf_counter()
    typeahead = Typeahead(taxonomy, store=store)
    typeahead.build()
    mapped = time.perf_counter() - started
    labels = [
        (label, taxonomy.concept(label.uri).kind)
        for label in taxonomy.all_labels()
        if label.label_type is LabelType.preferred
        and label.lang in ("fr", "nl", "en")
        and taxonomy.concept(label.uri).kind in (ConceptKind.skill, ConceptKind.occupation)
    ]
    rng = random.Random(11)
    latencies: list[float] = []
    found = tried = 0
    while len(latencies) < args.queries:
        label, kind = rng.choice(labels)
        word = rng.choice(label.text.split())
        for n in range(1, min(12, len(word)) + 1):
            t0 = time.perf_counter()
            results = typeahead.search(word[:n], kind, label.lang, 10)
            latencies.append(time.perf_counter() - t0)
            if n == 6 and word == label.text.split()[0]:
                tried += 1
                found += label.uri in [r.uri for r in results]
    print(
        json.dumps(
            {
                "build_seconds": round(build, 2),
                "map_seconds": round(mapped, 3),
                "queries": len(latencies),
                "p50_ms": round(percentile(latencies, 50) * 1000, 3),
                "p99_ms": round(percentile(latencies, 99) * 1000, 3),
                "max_ms": round(max(latencies) * 1000, 3),
                "first_word_6_chars_in_top10": round(found / max(tried, 1), 3),
            }
        )
    )
    scratch.cleanup()


if __name__ == "__main__":
    main()
