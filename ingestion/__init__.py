"""Ingestion of jobseekers and vacancies."""
