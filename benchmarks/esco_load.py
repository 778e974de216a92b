"""Time `skillmatch esco load` end to end, in a fresh temporary data directory.

Usage: python -m benchmarks.esco_load [--esco-dir DIR]

Runs the real command in a subprocess each time (interpreter start and imports included), and prints one
JSON line per run: the taxonomy alone (first load, then a second load of the same files), then the whole
command with the concept space (built from scratch with an empty encoder cache, then reused).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from skillmatch.settings import get_settings


def _run(esco_dir: Path, data_dir: Path, extra: list[str]) -> tuple[float, str]:
    env = {**os.environ, "SKILLMATCH_DATA_DIR": str(data_dir)}
    env.pop("SKILLMATCH_DATABASE_URL", None)
    cmd = [sys.executable, "-m", "skillmatch.cli", "esco", "load", "--esco-dir", str(esco_dir), *extra]
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return time.perf_counter() - started, done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--esco-dir", type=Path, default=get_settings().esco_dir)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        runs = [
            ("taxonomy, first load", ["--taxonomy-only"]),
            ("taxonomy, second load", ["--taxonomy-only"]),
            ("concept space from scratch", []),
            ("everything reused", []),
        ]
        for run, extra in runs:
            seconds, output = _run(args.esco_dir, data_dir, extra)
            print(json.dumps({"run": run, "seconds": round(seconds, 2), "output": output.splitlines()[-1]}))


if __name__ == "__main__":
    main()
