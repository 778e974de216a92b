"""Run a benchmark command and put its output, with the command and the date, into benchmarks/README.md.

Usage:
    python -m benchmarks.report SECTION -- python -m benchmarks.linking --data ... --run-out ...

The README holds a block per section between ``<!-- BEGIN SECTION -->`` and ``<!-- END SECTION -->``; it is
replaced by the exact command and the lines it printed, so no figure is ever typed by hand.
"""

from __future__ import annotations

import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

README = Path(__file__).resolve().parent / "README.md"


def replace_block(text: str, section: str, body: str) -> str:
    """The README text with one section's block replaced (appended when it is not there yet)."""
    begin, end = f"<!-- BEGIN {section} -->", f"<!-- END {section} -->"
    block = f"{begin}\n{body.rstrip()}\n{end}"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        return head + block + tail
    return text.rstrip() + "\n\n" + block + "\n"


def main() -> None:
    if "--" not in sys.argv or sys.argv.index("--") != 2:
        raise SystemExit(__doc__)
    section, command = sys.argv[1], sys.argv[3:]
    started = datetime.now(UTC)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(f"benchmark failed with exit code {done.returncode}; README left as it was")
    shown = " ".join(command).replace(sys.executable, "python")
    body = "\n".join(
        [
            f"Measured {started:%Y-%m-%d %H:%M} UTC on {platform.machine()} with {_cores()} cores:",
            "",
            "```sh",
            shown,
            "```",
            "",
            "```json",
            *lines,
            "```",
        ]
    )
    README.write_text(replace_block(README.read_text(encoding="utf-8"), section, body), encoding="utf-8")
    print("\n".join(lines))


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    main()
