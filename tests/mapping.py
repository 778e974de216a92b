"""Where an array's bytes live: which files' memory mappings hold them (Linux: /proc/self/maps)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def mapped_files(array: np.ndarray) -> set[str]:
    """The names of the files whose memory mapping holds the array's first byte (empty: the array is in RAM)."""
    address = array.ctypes.data
    found = set()
    for line in Path("/proc/self/maps").read_text().splitlines():
        parts = line.split()
        low, high = (int(x, 16) for x in parts[0].split("-"))
        if low <= address < high and len(parts) > 5:
            found.add(Path(parts[5]).name)
    return found
