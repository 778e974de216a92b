"""Ranking: the engine (FAISS profile indexes, two-stage query: the consultant's candidate list and the
jobseeker's suggestions), the writer, features, hard filters, the explainable score and its explanations,
location, language and driving licence rules.
"""

from matching.ranking.concurrency import ConcurrencyMode
from matching.ranking.engine import MIN_CANDIDATES, Match, MatchingEngine, other_kind
from matching.ranking.explain import BAND_RULE, Band, BandRule, Explanation, SkillExplanation, band
from matching.ranking.features import ProfileFeatures
from matching.ranking.filters import Filters, apply_filters, filter_pairs
from matching.ranking.index import HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH, HNSW_M, IndexType, ProfileIndex
from matching.ranking.index_files import MANIFEST, file_sha256, open_indexes, read_manifest, save_indexes
from matching.ranking.languages import Cefr, cefr_name
from matching.ranking.licences import LICENCE_BITS, LICENCES, DrivingLicence, licence_mask
from matching.ranking.lists import EDGE, RankedLists, rank_lists, wanted_for
from matching.ranking.location import Place, Region, location_fits, place_of
from matching.ranking.pair_score import score_pairs
from matching.ranking.pairs import Mask, Pairs, Queries, order_by_score, order_pairs
from matching.ranking.related import RelatedConfig, RelatedSkills
from matching.ranking.scoring import COMPONENTS, Scorer, ScoreWeights
from matching.ranking.table import FeatureTable, lang_name
from matching.ranking.writer import IndexCheck, ProfileWriter

__all__ = [
    "BAND_RULE",
    "Band",
    "BandRule",
    "COMPONENTS",
    "EDGE",
    "HNSW_EF_CONSTRUCTION",
    "HNSW_EF_SEARCH",
    "HNSW_M",
    "LICENCES",
    "LICENCE_BITS",
    "MANIFEST",
    "MIN_CANDIDATES",
    "Cefr",
    "DrivingLicence",
    "ConcurrencyMode",
    "Explanation",
    "FeatureTable",
    "Filters",
    "IndexCheck",
    "IndexType",
    "Mask",
    "Match",
    "MatchingEngine",
    "Pairs",
    "Place",
    "ProfileFeatures",
    "ProfileIndex",
    "ProfileWriter",
    "Queries",
    "RankedLists",
    "Region",
    "RelatedConfig",
    "RelatedSkills",
    "ScoreWeights",
    "Scorer",
    "SkillExplanation",
    "apply_filters",
    "band",
    "cefr_name",
    "file_sha256",
    "filter_pairs",
    "lang_name",
    "licence_mask",
    "location_fits",
    "open_indexes",
    "order_by_score",
    "order_pairs",
    "other_kind",
    "place_of",
    "rank_lists",
    "read_manifest",
    "save_indexes",
    "score_pairs",
    "wanted_for",
]
