"""Services to people that are not ingestion: the jobseekers' rights (notice, export, opt-out, contests,
erasure) and their interest in vacancies, the fairness services the API and CLI open, long runs started from the
pages and their progress, the counterfactual swap of records, and the outbox of
match notices with its mailer.

Each service is imported from its own module (``services.outbox``, ``services.rights`` ...): the package itself
imports none of them, so that a command that needs one (the nightly rematch needs the outbox) loads no others.
"""
