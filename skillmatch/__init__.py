"""Wiring of skillmatch: settings, database engine and the ``skillmatch`` command line."""

from skillmatch.settings import Settings, get_settings

__all__ = ["Settings", "get_settings"]
