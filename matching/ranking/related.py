"""Which skills partly cover which: neighbours in the ESCO hierarchy and semantically close skills.

A required skill that a jobseeker lacks may still be partly covered by a broader or narrower skill (ESCO's
skill hierarchy) or by a skill whose concept vector is close enough. The relation is symmetric and computed
once per concept space.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from esco_data import ConceptKind, Taxonomy
from matching.atomic import atomic_file
from matching.ranking.ragged import Ragged
from matching.space import ConceptSpace


@dataclass(frozen=True)
class RelatedConfig:
    """How much a related skill covers a required one."""

    hierarchy_credit: float = 0.5
    semantic_threshold: float = 0.8
    """Cosine of concept vectors from which two skills count as close."""
    semantic_min_credit: float = 0.25
    semantic_max_credit: float = 0.5
    neighbours: int = 10


RELATION_HIERARCHY = 1
RELATION_SEMANTIC = 2


class RelatedSkills:
    """For each skill (by concept-space row): related skills with the credit they give and how they relate."""

    def __init__(self, credits: Ragged, kinds: Ragged, config: RelatedConfig) -> None:
        self.credits = credits
        self.kinds = kinds
        self.config = config

    @classmethod
    def build(cls, taxonomy: Taxonomy, space: ConceptSpace, config: RelatedConfig | None = None) -> RelatedSkills:
        """Compute the relation for every skill of the space (a few seconds)."""
        config = config or RelatedConfig()
        skill_rows = np.flatnonzero(space.kind_mask(ConceptKind.skill))
        pairs: dict[tuple[int, int], tuple[float, int]] = {}

        def add(a: int, b: int, credit: float, kind: int) -> None:
            for key in ((a, b), (b, a)):
                old = pairs.get(key)
                if old is None or credit > old[0]:
                    pairs[key] = (credit, kind)

        for row in skill_rows.tolist():
            uri = space.concept_uris[row]
            for other in taxonomy.broader(uri):
                if other in space and taxonomy.concept(other).kind is ConceptKind.skill:
                    add(row, space.index_of(other), config.hierarchy_credit, RELATION_HIERARCHY)
        vectors = space.concept_vectors[skill_rows]
        span = config.semantic_max_credit - config.semantic_min_credit
        # A space of few skills has fewer neighbours to offer than asked.
        neighbours = min(config.neighbours, len(skill_rows) - 1)
        for start in range(0, len(skill_rows) if neighbours > 0 else 0, 2048):
            block = vectors[start : start + 2048] @ vectors.T
            for offset, sims in enumerate(block):
                i = start + offset
                sims[i] = -1.0
                top = np.argpartition(-sims, neighbours)[:neighbours]
                for j in top[sims[top] >= config.semantic_threshold].tolist():
                    cos = float(sims[j])
                    credit = config.semantic_min_credit + span * (cos - config.semantic_threshold) / (
                        1 - config.semantic_threshold
                    )
                    add(int(skill_rows[i]), int(skill_rows[j]), credit, RELATION_SEMANTIC)
        by_row: dict[int, list[tuple[int, float, int]]] = {}
        for (a, b), (credit, kind) in pairs.items():
            by_row.setdefault(a, []).append((b, credit, kind))
        n = len(space.concept_uris)
        credits, kinds = Ragged(), Ragged()
        rows = [sorted(by_row.get(r, [])) for r in range(n)]
        credits.append_many([([b for b, _, _ in r], [c for _, c, _ in r]) for r in rows])
        kinds.append_many([([b for b, _, _ in r], [float(k) for _, _, k in r]) for r in rows])
        return cls(credits, kinds, config)

    def of(
        self, rows: npt.NDArray[np.int32]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int32], npt.NDArray[np.float32]]:
        """Related skills of several skills: (position in ``rows``, related row, credit)."""
        return self.credits.gather(rows.astype(np.int64))

    def best(self, row: int, among: set[int]) -> tuple[int, float, int] | None:
        """The related skill among a set that covers a skill best: (row, credit, relation kind)."""
        ids, credits = self.credits.row(row)
        _, kinds = self.kinds.row(row)
        best: tuple[int, float, int] | None = None
        for other, credit, kind in zip(ids.tolist(), credits.tolist(), kinds.tolist(), strict=True):
            if other in among and (best is None or credit > best[1]):
                best = (other, credit, int(kind))
        return best

    def save(self, path: str | Path) -> None:
        """Write to an ``.npz`` file, atomically, under exactly that name."""
        arrays = {f"c_{k}": v for k, v in self.credits.arrays().items()}
        arrays |= {f"k_{k}": v for k, v in self.kinds.arrays().items()}

        def write(tmp: Path) -> None:
            with tmp.open("wb") as fh:
                np.savez(fh, **arrays)  # type: ignore[arg-type]

        atomic_file(Path(path), write)

    @classmethod
    def load(cls, path: str | Path, config: RelatedConfig | None = None) -> RelatedSkills:
        """Read a file written by ``save``."""
        with np.load(path) as data:
            parts = ("starts", "lengths", "ids", "values")
            credits = Ragged.from_arrays({p: data[f"c_{p}"] for p in parts})
            kinds = Ragged.from_arrays({p: data[f"k_{p}"] for p in parts})
        return cls(credits, kinds, config or RelatedConfig())


__all__ = ["RELATION_HIERARCHY", "RELATION_SEMANTIC", "RelatedConfig", "RelatedSkills"]
