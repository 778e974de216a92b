"""Text to ESCO: the linker, its label indexes (dense and lexical), how titles are cleaned (gender forms,
abbreviations, specialties), language detection, the sections of an ad and skill extraction with spans.
"""

from matching.linking import gender
from matching.linking.label_index import LabelIndex
from matching.linking.lexical import LexicalIndex
from matching.linking.linked import LinkedConcept, LinkKind
from matching.linking.linker import ExtractedConcept, Linker, LinkerConfig
from matching.linking.occupation_docs import OccupationDocs
from matching.linking.skill_extraction import ExtractedSkill, SkillExtractor

__all__ = [
    "ExtractedConcept",
    "ExtractedSkill",
    "LabelIndex",
    "LexicalIndex",
    "LinkKind",
    "LinkedConcept",
    "Linker",
    "LinkerConfig",
    "OccupationDocs",
    "SkillExtractor",
    "gender",
]
