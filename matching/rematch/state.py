"""What the rematch keeps of each list besides its matches, so that a later run can bring the list up to date
from a change without searching or scoring it again (``matching.rematch.patch``).

- The edge: the candidates around the search's boundary, in search order, with the cosine the index gave each:
  the last ``EDGE`` the search returned (``inside`` of them) and the first ones past them. A change moves the
  boundary by as many places as it adds or removes candidates before it; while the boundary stays within the
  edge, the list's new candidates are known.
- The reserve: the ranked candidates just past the list's end (score and score parts), so that a list from
  which some matches leave fills from them. With the list itself they make up the prefix of the ranking; every
  other candidate that passed the filters ranks after its last entry (``last``), unless the prefix holds them all
  (``complete``).

Stored as one small binary value per list (``RematchList.state``): a JSON header (ids, counts, flags), a NUL
byte, then the float32 values (edge cosines, reserve scores and parts, the last score) exactly as computed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.ranking import COMPONENTS

Floats = npt.NDArray[np.float32]
WIDTH = 1 + len(COMPONENTS)
"""Values of a reserve entry: its score, then its score parts."""


@dataclass
class ListState:
    """The edge and the reserve of one list."""

    edge_ids: list[str]
    edge_cosine: Floats
    listed: list[bool]
    """Per edge entry, whether it is in the prefix (the list or its reserve)."""
    inside: int
    """Edge entries among the candidates the search returned (the first ones of the edge)."""
    to_end: bool
    """The search returned every profile: nothing lies past the edge."""
    reserve_ids: list[str]
    reserve_values: Floats
    """(reserve, 1 + 6): score, then the parts in the order of ``COMPONENTS``."""
    complete: bool
    """The prefix holds every candidate that passed the filters."""
    last_id: str
    last_score: float
    """The prefix's last entry (every other eligible candidate ranks after it); empty and NaN for an empty list."""

    @property
    def edge_low(self) -> float | None:
        """The lowest cosine at which a changed profile can change the list (None: any, the edge reaches the end)."""
        if self.to_end or not self.edge_ids:
            return None
        return float(self.edge_cosine[-1])

    def encode(self) -> bytes:
        """The stored form."""
        header = {
            "e": self.edge_ids,
            "p": "".join("1" if f else "0" for f in self.listed),
            "i": self.inside,
            "t": int(self.to_end),
            "r": self.reserve_ids,
            "c": int(self.complete),
            "l": self.last_id,
        }
        values = np.concatenate(
            [
                np.asarray(self.edge_cosine, dtype=np.float32).reshape(-1),
                np.asarray(self.reserve_values, dtype=np.float32).reshape(-1),
                np.asarray([self.last_score], dtype=np.float32),
            ]
        )
        return json.dumps(header, separators=(",", ":")).encode() + b"\0" + values.tobytes()

    @classmethod
    def decode(cls, blob: bytes) -> ListState:
        """Read the stored form."""
        cut = blob.index(b"\0")
        header = json.loads(blob[:cut])
        values = np.frombuffer(blob[cut + 1 :], dtype=np.float32)
        edges, reserve = len(header["e"]), len(header["r"])
        return cls(
            edge_ids=header["e"],
            edge_cosine=values[:edges],
            listed=[c == "1" for c in header["p"]],
            inside=int(header["i"]),
            to_end=bool(header["t"]),
            reserve_ids=header["r"],
            reserve_values=values[edges : edges + reserve * WIDTH].reshape(reserve, WIDTH),
            complete=bool(header["c"]),
            last_id=header["l"],
            last_score=float(values[-1]),
        )


__all__ = ["WIDTH", "ListState"]
