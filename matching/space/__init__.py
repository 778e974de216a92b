"""The vector space: the sentence encoder and the ESCO concept space (one vector per concept, built from its
labels in every language).
"""

from matching.space.concept_space import (
    KIND_CODES,
    LANG_CODES,
    SPACE_KINDS,
    ConceptSpace,
    ensure_concept_space,
    expected_manifest,
    load_concept_space,
    mapped_array,
)
from matching.space.encoder import Encoder, Vectors, model_id

__all__ = [
    "KIND_CODES",
    "LANG_CODES",
    "SPACE_KINDS",
    "ConceptSpace",
    "Encoder",
    "Vectors",
    "ensure_concept_space",
    "expected_manifest",
    "load_concept_space",
    "mapped_array",
    "model_id",
]
