"""Text to ESCO: the linker, its label indexes (dense and lexical), how titles are cleaned (gender forms,
abbreviations, specialties), language detection, the sections of an ad, skill extraction with spans, and the
links consultants confirmed or rejected (learned links).
"""

from matching.linking import gender
from matching.linking.label_index import LabelIndex
from matching.linking.language_mentions import LanguageMention, language_mentions, only_language
from matching.linking.learned import (
    InvalidLearnedLink,
    LearnedLink,
    LearnedLinks,
    PhraseVerdicts,
    UnknownLearnedLink,
    Verdict,
)
from matching.linking.lexical import LexicalIndex
from matching.linking.linked import LinkedConcept, LinkKind
from matching.linking.linker import ExtractedConcept, Linker, LinkerConfig
from matching.linking.occupation_docs import OccupationDocs
from matching.linking.skill_extraction import ExtractedSkill, SkillExtractor

__all__ = [
    "ExtractedConcept",
    "ExtractedSkill",
    "InvalidLearnedLink",
    "LabelIndex",
    "LanguageMention",
    "LearnedLink",
    "LearnedLinks",
    "LexicalIndex",
    "LinkKind",
    "LinkedConcept",
    "Linker",
    "LinkerConfig",
    "OccupationDocs",
    "PhraseVerdicts",
    "SkillExtractor",
    "UnknownLearnedLink",
    "Verdict",
    "language_mentions",
    "only_language",
    "gender",
]
