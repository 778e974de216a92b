"""Guidance for jobseekers: the skill gap, the language and digital basiskit, occupations that recruit, and
the notice that says how suggestions are made.
"""

from matching.guidance.basiskit import basiskit
from matching.guidance.notice import Notice, notice
from matching.guidance.recruiting import (
    LinkStatus,
    RecruitingOccupations,
    RecruitingStore,
    link_titles,
    read_shortage_list,
)
from matching.guidance.skill_gap import SkillGapConfig, missing_required, skill_gaps

__all__ = [
    "LinkStatus",
    "Notice",
    "RecruitingOccupations",
    "RecruitingStore",
    "SkillGapConfig",
    "basiskit",
    "link_titles",
    "missing_required",
    "notice",
    "read_shortage_list",
    "skill_gaps",
]
