"""Server time of the largest dossier the schema allows: 200 skill texts, 200 titles, 5,000 characters of summary.

Usage:
    python -m benchmarks.largest [--dossiers 5]

Each dossier is posted through the web service (``POST /jobseekers``, signed in, audit log on) over a fresh
temporary database with full ESCO and the configured data directory's concept space, with an empty encoder
cache: its 200 skill texts and 200 titles are distinct real ESCO labels (French and Dutch, none repeated
across dossiers), so every text is new to the encoder and linker, the worst case. Then each dossier is posted
again with one skill text changed (an update, the same id: only the changed text is new). Printed: one JSON
line per dossier (created and updated seconds, as the client saw them over the in-process app) and one with
the medians and maxima. Target (issue 13): the largest dossier answers within 1 s.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.auth import Role, TokenStore
from api.main import create_app
from benchmarks.common import cold_runtime
from esco_data.models import ConceptKind
from ingestion.schemas import MAX_ITEMS, MAX_SUMMARY
from skillmatch.runtime import Runtime
from skillmatch.serving import freeze_when_warm


def dossiers(runtime: Runtime, count: int, seed: int = 0) -> list[dict[str, Any]]:
    """``count`` largest dossiers of distinct real ESCO labels (none shared between dossiers)."""
    taxonomy = runtime.taxonomy
    rng = random.Random(seed)
    skills = sorted(c.uri for c in taxonomy.concepts(ConceptKind.skill))
    occupations = sorted(c.uri for c in taxonomy.concepts(ConceptKind.occupation))
    rng.shuffle(skills)
    rng.shuffle(occupations)
    out = []
    for n in range(count):
        lang = "fr" if n % 2 == 0 else "nl"
        own_skills = skills[n * (MAX_ITEMS + 40) : (n + 1) * (MAX_ITEMS + 40)]
        own_titles = occupations[n * MAX_ITEMS : (n + 1) * MAX_ITEMS]
        texts = [taxonomy.label(uri, lang).text for uri in own_skills]
        summary = ". ".join(texts[MAX_ITEMS:]) + ". "
        summary = (summary * (1 + MAX_SUMMARY // max(1, len(summary))))[:MAX_SUMMARY]
        out.append(
            {
                "id": f"J-LARGEST-{n}",
                "preferred_language": lang,
                "postcode": "1000",
                "languages": {lang: "C2"},
                "skills": [{"text": text} for text in texts[:MAX_ITEMS]],
                "experiences": [{"title": taxonomy.label(uri, lang).text, "years": 1} for uri in own_titles],
                "summary": summary,
            }
        )
    return out


def run(count: int) -> list[dict[str, Any]]:
    """Post ``count`` largest dossiers, then update each; the client-side seconds of every request."""
    with tempfile.TemporaryDirectory() as tmp:
        runtime = cold_runtime(Path(tmp))
        freeze_when_warm().join()  # as the service does once its runtime is open (``skillmatch.server``)
        db = runtime.db
        tokens = TokenStore(db)
        token = tokens.issue(tokens.add_user("largest-consultant", Role.consultant).id, days=1).token
        app = create_app(db=db, services=runtime)
        lines = []
        with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as client:
            *records, warm = dossiers(runtime, count + 1)
            warm |= {"id": "J-WARM-UP"}  # labels no measured dossier has
            assert client.post("/jobseekers", json=warm).status_code == 201  # first-use parts built before
            for record in records:
                t0 = time.perf_counter()
                created = client.post("/jobseekers", json=record)
                created_s = time.perf_counter() - t0
                if created.status_code != 201:
                    raise SystemExit(f"{record['id']}: {created.status_code} {created.text[:300]}")
                changed = record | {"skills": [{"text": "pétrir la pâte à pain"}, *record["skills"][1:]]}
                t0 = time.perf_counter()
                updated = client.post("/jobseekers", json=changed)
                updated_s = time.perf_counter() - t0
                if updated.status_code != 200:
                    raise SystemExit(f"{record['id']}: {updated.status_code} {updated.text[:300]}")
                lines.append(
                    {
                        "dossier": record["id"],
                        "language": record["preferred_language"],
                        "skills": len(record["skills"]),
                        "titles": len(record["experiences"]),
                        "summary_chars": len(record["summary"]),
                        "created_seconds": round(created_s, 3),
                        "updated_seconds": round(updated_s, 3),
                    }
                )
        db.dispose()
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=5)
    args = parser.parse_args(argv)
    lines = run(args.dossiers)
    for line in lines:
        print(json.dumps(line), flush=True)
    created = [line["created_seconds"] for line in lines]
    updated = [line["updated_seconds"] for line in lines]
    print(
        json.dumps(
            {
                "dossiers": len(lines),
                "created_p50_seconds": round(statistics.median(created), 3),
                "created_max_seconds": max(created),
                "updated_p50_seconds": round(statistics.median(updated), 3),
                "updated_max_seconds": max(updated),
                "within_1s": max(created + updated) <= 1.0,
            }
        )
    )


if __name__ == "__main__":
    main()
