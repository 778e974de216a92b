"""Related skills on real ESCO hierarchy (the slice) and hand-made concept vectors with known cosines."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from esco_data import Taxonomy
from matching.ranking.related import RELATION_HIERARCHY, RELATION_SEMANTIC, RelatedConfig, RelatedSkills
from matching.space import ConceptSpace
from tests import esco_uris as U
from tests.handmade import tiny_space

# In ESCO: MOULD_DOUGHS is narrower than BAKE_GOODS, which is narrower than PREPARE_BAKERY_PRODUCTS.
SKILLS = (
    U.BAKE_GOODS,
    U.PREPARE_BAKERY_PRODUCTS,
    U.MOULD_DOUGHS,
    U.KNEAD_FOOD,
    U.TEND_BAKERY_OVENS,
    U.APPLY_HACCP,
    U.CALCULATE_TAX,
)
BAKE, PREPARE, MOULD, KNEAD, OVENS, HACCP, TAX, BAKER = range(8)


def _vectors() -> np.ndarray:
    """Unit vectors with chosen cosines: KNEAD.OVENS 0.9, HACCP.TAX 0.79, BAKE.MOULD 0.95, BAKER.BAKE 0.99."""
    v = np.zeros((8, 8))
    v[KNEAD, 0] = 1.0
    v[OVENS, :2] = 0.9, math.sqrt(1 - 0.81)
    v[HACCP, 2] = 1.0
    v[TAX, 2:4] = 0.79, math.sqrt(1 - 0.79**2)
    v[BAKE, 4] = 1.0
    v[MOULD, 4:6] = 0.95, math.sqrt(1 - 0.95**2)
    v[PREPARE, 6] = 1.0
    v[BAKER, 4] = 0.99
    v[BAKER, 7] = math.sqrt(1 - 0.99**2)
    return v.astype(np.float32)


@pytest.fixture(scope="module")
def space() -> ConceptSpace:
    return tiny_space(SKILLS, [U.BAKER], vectors=_vectors())


@pytest.fixture(scope="module")
def related(slice_taxonomy: Taxonomy, space: ConceptSpace) -> RelatedSkills:
    return RelatedSkills.build(slice_taxonomy, space)


def relations(related: RelatedSkills, row: int) -> dict[int, tuple[float, int]]:
    ids, credits = related.credits.row(row)
    kind_ids, kinds = related.kinds.row(row)
    assert kind_ids.tolist() == ids.tolist()
    # Credits are stored as float32: compared to five decimals.
    return {i: (round(c, 5), int(k)) for i, c, k in zip(ids.tolist(), credits.tolist(), kinds.tolist(), strict=True)}


def test_hierarchy_neighbours_get_the_hierarchy_credit(related: RelatedSkills) -> None:
    # BAKE.MOULD is also close (cosine 0.95: a similarity credit of 0.4375), but the hierarchy credit is higher.
    assert relations(related, BAKE) == {PREPARE: (0.5, RELATION_HIERARCHY), MOULD: (0.5, RELATION_HIERARCHY)}
    assert relations(related, PREPARE) == {BAKE: (0.5, RELATION_HIERARCHY)}
    # Two levels apart in the hierarchy: not related.
    assert PREPARE not in relations(related, MOULD)


def test_close_skills_get_a_credit_that_grows_with_the_cosine(related: RelatedSkills) -> None:
    # 0.25 + (0.5 - 0.25) * (0.9 - 0.8) / (1 - 0.8) = 0.375.
    ((credit, kind),) = relations(related, KNEAD).values()
    assert (credit, kind) == (0.375, RELATION_SEMANTIC)
    assert relations(related, OVENS).keys() == {KNEAD}
    # Cosine 0.79, below the threshold 0.8: not related.
    assert relations(related, HACCP) == {} and relations(related, TAX) == {}


def test_occupations_are_never_related_skills(related: RelatedSkills) -> None:
    assert relations(related, BAKER) == {}
    assert all(BAKER not in relations(related, row) for row in range(len(SKILLS)))


def test_the_relation_is_symmetric(related: RelatedSkills) -> None:
    for row in range(len(SKILLS) + 1):
        for other, value in relations(related, row).items():
            assert relations(related, other)[row] == value


def test_of_gathers_the_relations_of_several_skills(related: RelatedSkills) -> None:
    positions, ids, credits = related.of(np.asarray([KNEAD, HACCP, BAKE], dtype=np.int32))
    found = sorted(zip(positions.tolist(), ids.tolist(), np.round(credits, 4).tolist(), strict=True))
    assert found == [(0, OVENS, 0.375), (2, PREPARE, 0.5), (2, MOULD, 0.5)]


def test_best_picks_the_highest_credit_among_a_set(related: RelatedSkills) -> None:
    assert related.best(BAKE, {MOULD, KNEAD}) == (MOULD, 0.5, RELATION_HIERARCHY)
    best = related.best(OVENS, {KNEAD, BAKE, TAX})
    assert best is not None and best[0] == KNEAD and best[1] == pytest.approx(0.375, abs=1e-5)
    assert best[2] == RELATION_SEMANTIC
    assert related.best(HACCP, {BAKE, KNEAD, TAX}) is None
    assert related.best(BAKE, set()) is None


def test_config_sets_the_credits(slice_taxonomy: Taxonomy, space: ConceptSpace) -> None:
    config = RelatedConfig(
        hierarchy_credit=0.3, semantic_threshold=0.75, semantic_min_credit=0.1, semantic_max_credit=0.2
    )
    related = RelatedSkills.build(slice_taxonomy, space, config)
    # BAKE.MOULD: 0.1 + 0.1 * (0.95 - 0.75) / 0.25 = 0.18 < 0.3: still the hierarchy.
    assert relations(related, BAKE) == {PREPARE: (0.3, RELATION_HIERARCHY), MOULD: (0.3, RELATION_HIERARCHY)}
    # HACCP.TAX now counts: 0.1 + 0.1 * (0.79 - 0.75) / 0.25 = 0.116.
    assert relations(related, HACCP)[TAX] == (0.116, RELATION_SEMANTIC)
    # With one neighbour per skill, KNEAD keeps OVENS (its closest) and the hierarchy is unaffected.
    one = RelatedSkills.build(slice_taxonomy, space, RelatedConfig(neighbours=1))
    assert relations(one, KNEAD).keys() == {OVENS} and relations(one, BAKE).keys() == {PREPARE, MOULD}


@pytest.mark.parametrize("name", ["related.npz", "related"])
def test_save_and_load_round_trip(related: RelatedSkills, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    related.save(path)
    loaded = RelatedSkills.load(path, related.config)
    assert loaded.config == related.config
    for row in range(len(SKILLS) + 1):
        assert relations(loaded, row) == relations(related, row)
    assert loaded.best(BAKE, {MOULD}) == related.best(BAKE, {MOULD})
