"""Fairness and oversight: the exposure audit (its runs and the restricted table of protected attributes),
the counterfactual gender check, consultants' pins and exclusions and the lists as people see them.

The ranking code never imports this package.
"""

from matching.fairness.counterfactual import CounterfactualReport, SideReport, compare_side
from matching.fairness.exposure import (
    DEFAULT_BAND,
    Attributes,
    Band,
    CandidateList,
    ExposureReport,
    exposure_audit,
    exposure_by_group,
    quality_by_group,
)
from matching.fairness.exposure_chance import ChanceReport, GroupChance, chance_of_lists, holm
from matching.fairness.exposure_run import ExposureRun, run_exposure_audit
from matching.fairness.exposure_store import (
    ExposureStore,
    InvalidAttributeFile,
    check_columns,
    create_tables,
    read_attribute_csv,
)
from matching.fairness.oversight import MAX_REASON, DecisionAction, InvalidDecision, OversightCurations, OversightStore
from matching.fairness.reviewed import Lookup, ReviewedCandidates

__all__ = [
    "DEFAULT_BAND",
    "MAX_REASON",
    "Attributes",
    "ExposureRun",
    "ExposureStore",
    "Band",
    "CandidateList",
    "ChanceReport",
    "GroupChance",
    "CounterfactualReport",
    "DecisionAction",
    "ExposureReport",
    "InvalidAttributeFile",
    "InvalidDecision",
    "Lookup",
    "OversightCurations",
    "OversightStore",
    "ReviewedCandidates",
    "SideReport",
    "chance_of_lists",
    "check_columns",
    "compare_side",
    "create_tables",
    "exposure_audit",
    "exposure_by_group",
    "holm",
    "quality_by_group",
    "read_attribute_csv",
    "run_exposure_audit",
]
