"""Services to people that are not ingestion: the jobseekers' rights (notice, export, opt-out, contests,
erasure) and their interest in vacancies, the fairness services the API and CLI open, long runs started from the
pages and their progress, the counterfactual swap of records, and the outbox of
match notices with its mailer.
"""

from services.counterfactual import counterfactual_check
from services.fairness import FairnessConfig, FairnessServices
from services.interest import Interest, InterestSignals
from services.jobs import Job, JobRunning, JobStore
from services.mailer import SmtpConfig, SmtpSecurity
from services.outbox import SendReport, build_outbox, send_pending
from services.rights import RightsService

__all__ = [
    "FairnessConfig",
    "FairnessServices",
    "Interest",
    "InterestSignals",
    "Job",
    "JobRunning",
    "JobStore",
    "RightsService",
    "SendReport",
    "SmtpConfig",
    "SmtpSecurity",
    "build_outbox",
    "counterfactual_check",
    "send_pending",
]
