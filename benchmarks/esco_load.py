"""Time `skillmatch esco load` end to end, in fresh temporary data directories.

Usage: python -m benchmarks.esco_load [--esco-dir DIR]

Runs the real command in a subprocess each time (interpreter start and imports included), and prints one
JSON line per run: the taxonomy alone (first load, then a second load of the same files); then, in a new data
directory, the whole command from scratch (taxonomy, concept space, linker and typeahead indexes, with an empty
encoder cache and an empty build cache), then again (everything reused), then ``skillmatch demo load`` (what
``make run`` does next), and the first start: the scratch command and the demo load together. Last, a second
new data directory over the build cache the first one filled (``matching.build_cache``): its ``esco load`` and
its demo load, and their sum. Each line gives the wall seconds and the CPU seconds the command used (children
included), so a figure taken on a shared machine still says what the work costs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from skillmatch.settings import get_settings


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _run(data_dir: Path, args: list[str], cache: Path) -> tuple[float, float, str]:
    """Run ``skillmatch ARGS`` on a data directory and build cache: wall seconds, CPU seconds, the first line it
    printed about the concept space (built, reused), or its last line."""
    env = {**os.environ, "SKILLMATCH_DATA_DIR": str(data_dir), "SKILLMATCH_BUILD_CACHE_DIR": str(cache)}
    env.pop("SKILLMATCH_DATABASE_URL", None)
    cmd = [sys.executable, "-m", "skillmatch.cli", *args]
    started, cpu = time.perf_counter(), _cpu()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    lines = done.stdout.strip().splitlines() or [""]
    said = [line for line in lines if line.startswith("Concept space")] or lines[-1:]
    return time.perf_counter() - started, _cpu() - cpu, said[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--esco-dir", type=Path, default=get_settings().esco_dir)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root, cache = Path(tmp), Path(tmp) / "build-cache"
        load = ["esco", "load", "--esco-dir", str(args.esco_dir)]
        runs = [
            ("taxonomy, first load", "taxonomy", [*load, "--taxonomy-only"]),
            ("taxonomy, second load", "taxonomy", [*load, "--taxonomy-only"]),
            ("esco load from scratch", "first", load),
            ("everything reused", "first", load),
            ("demo load", "first", ["demo", "load"]),
            ("esco load, second data directory over the build cache", "second", load),
            ("demo load, second data directory", "second", ["demo", "load"]),
        ]
        took: dict[str, tuple[float, float]] = {}
        for run, folder, cmd in runs:
            seconds, cpu, output = _run(root / folder, cmd, cache)
            took[run] = seconds, cpu
            line = {"run": run, "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2), "output": output}
            print(json.dumps(line))
        for run, parts in (
            ("first start: esco load from scratch, then demo load", ["esco load from scratch", "demo load"]),
            (
                "first start of a second data directory over the build cache",
                ["esco load, second data directory over the build cache", "demo load, second data directory"],
            ),
        ):
            wall, cpu = sum(took[p][0] for p in parts), sum(took[p][1] for p in parts)
            print(json.dumps({"run": run, "seconds": round(wall, 2), "cpu_seconds": round(cpu, 2)}))


if __name__ == "__main__":
    main()
