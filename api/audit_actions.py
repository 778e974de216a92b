"""What the audit log records: the kinds of action (which route records which is in ``api.auth.policy``)."""

from __future__ import annotations

from enum import StrEnum


class AuditAction(StrEnum):
    """What was done."""

    candidate_search = "candidate_search"
    candidate_lookup = "candidate_lookup"
    """One person looked up against a vacancy's list as shown."""
    dossier_view = "dossier_view"
    dossier_change = "dossier_change"
    suggestion_list = "suggestion_list"
    anonymised_profile = "anonymised_profile"
    export = "export"
    """A shortlist's CSV export."""
    shortlist_view = "shortlist_view"
    shortlist_change = "shortlist_change"
    decision = "decision"
    decision_view = "decision_view"
    contest_view = "contest_view"
    contest_answer = "contest_answer"
    rights_notice = "rights_notice"
    rights_export = "rights_export"
    rights_opt_out = "rights_opt_out"
    rights_contest = "rights_contest"
    rights_guidance = "rights_guidance"
    """The skill gap, a vacancy's missing skills, the basiskit, recruiting occupations."""
    erasure = "erasure"
    quarantine_view = "quarantine_view"
    audit_view = "audit_view"
    attributes_import = "attributes_import"
    user_view = "user_view"
    user_create = "user_create"
    user_change = "user_change"
    token_view = "token_view"
    token_issue = "token_issue"
    token_revoke = "token_revoke"
    record_correction = "record_correction"
    """A person corrected what the engine understood from a record (occupation, skill, language level)."""
    learned_link_undo = "learned_link_undo"
    """An administrator undid a link consultants had taught the linker."""


RIGHTS_ACTIONS = frozenset(
    {
        AuditAction.rights_notice,
        AuditAction.rights_export,
        AuditAction.rights_opt_out,
        AuditAction.rights_contest,
        AuditAction.rights_guidance,
        AuditAction.erasure,
    }
)
"""Actions on a jobseeker's rights: when someone else does one for them, the jobseeker is shown it."""


__all__ = ["RIGHTS_ACTIONS", "AuditAction"]
