"""Time `skillmatch esco load` end to end, in a fresh temporary data directory.

Usage: python -m benchmarks.esco_load [--esco-dir DIR]

Runs the real command in a subprocess each time (interpreter start and imports included), and prints one
JSON line per run: the taxonomy alone (first load, then a second load of the same files), then the whole
command with the concept space (built from scratch with an empty encoder cache, then reused), then
``skillmatch demo load`` (what ``make run`` does next), and last the first start: the scratch build and the
demo load together. Each line gives the wall seconds and the CPU seconds the command used (children included),
so a figure taken on a shared machine still says what the work costs.
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


def _run(data_dir: Path, args: list[str]) -> tuple[float, float, str]:
    """Run ``skillmatch ARGS`` on a data directory: wall seconds, CPU seconds, the last line it printed."""
    env = {**os.environ, "SKILLMATCH_DATA_DIR": str(data_dir)}
    env.pop("SKILLMATCH_DATABASE_URL", None)
    cmd = [sys.executable, "-m", "skillmatch.cli", *args]
    started, cpu = time.perf_counter(), _cpu()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    lines = done.stdout.strip().splitlines() or [""]
    return time.perf_counter() - started, _cpu() - cpu, lines[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--esco-dir", type=Path, default=get_settings().esco_dir)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        load = ["esco", "load", "--esco-dir", str(args.esco_dir)]
        runs = [
            ("taxonomy, first load", [*load, "--taxonomy-only"]),
            ("taxonomy, second load", [*load, "--taxonomy-only"]),
            ("concept space from scratch", load),
            ("everything reused", load),
            ("demo load", ["demo", "load"]),
        ]
        took: dict[str, tuple[float, float]] = {}
        for run, cmd in runs:
            seconds, cpu, output = _run(data_dir, cmd)
            took[run] = seconds, cpu
            line = {"run": run, "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2), "output": output}
            print(json.dumps(line))
        first = [took["concept space from scratch"], took["demo load"]]
        print(
            json.dumps(
                {
                    "run": "first start: esco load from scratch, then demo load",
                    "seconds": round(sum(w for w, _ in first), 2),
                    "cpu_seconds": round(sum(c for _, c in first), 2),
                }
            )
        )


if __name__ == "__main__":
    main()
