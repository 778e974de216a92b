"""Alembic migrations of the database schema (SQLite and PostgreSQL); applied at start-up by ``skillmatch.schema``."""
