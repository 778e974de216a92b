"""Tiny hand-made concept spaces and related-skill tables, for tests whose answers are computed by hand."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from esco_data import ConceptKind
from matching.ranking import RelatedConfig, RelatedSkills
from matching.ranking.ragged import Ragged
from matching.space import KIND_CODES, ConceptSpace


def tiny_space(
    skills: Sequence[str],
    occupations: Sequence[str] = (),
    groups: Sequence[str] = (),
    vectors: npt.NDArray[np.float32] | None = None,
) -> ConceptSpace:
    """A concept space of a few concepts (rows in the order skills, occupations, groups) and no labels.

    Args:
        skills: skill URIs.
        occupations: occupation URIs.
        groups: ISCO group URIs.
        vectors: one unit vector per concept (default: the identity, every pair orthogonal).
    """
    uris = [*skills, *occupations, *groups]
    kinds = [ConceptKind.skill] * len(skills) + [ConceptKind.occupation] * len(occupations)
    kinds += [ConceptKind.isco_group] * len(groups)
    if vectors is None:
        vectors = np.eye(len(uris), dtype=np.float32)
    dim = vectors.shape[1]
    return ConceptSpace(
        manifest={},
        concept_uris=uris,
        concept_kinds=np.asarray([KIND_CODES[k] for k in kinds], dtype=np.int8),
        concept_vectors=vectors.astype(np.float32),
        label_texts=[],
        label_concepts=np.zeros(0, dtype=np.int32),
        label_langs=np.zeros(0, dtype=np.int8),
        label_types=np.zeros(0, dtype=np.int8),
        label_vectors=np.zeros((0, dim), dtype=np.float32),
    )


def related_skills(space: ConceptSpace, pairs: Mapping[tuple[str, str], tuple[float, int]]) -> RelatedSkills:
    """A symmetric related-skill table with the given credits.

    Args:
        space: the concept space whose rows the table uses.
        pairs: (skill, skill) -> (credit, relation kind); each pair holds in both directions.
    """
    by_row: dict[int, dict[int, tuple[float, int]]] = {}
    for (a, b), value in pairs.items():
        i, j = space.index_of(a), space.index_of(b)
        by_row.setdefault(i, {})[j] = value
        by_row.setdefault(j, {})[i] = value
    rows = [sorted(by_row.get(r, {}).items()) for r in range(len(space.concept_uris))]
    credits, kinds = Ragged(), Ragged()
    credits.append_many([([j for j, _ in row], [c for _, (c, _) in row]) for row in rows])
    kinds.append_many([([j for j, _ in row], [float(k) for _, (_, k) in row]) for row in rows])
    return RelatedSkills(credits, kinds, RelatedConfig())
