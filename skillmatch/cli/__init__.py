"""The ``skillmatch`` command line: a thin layer over the core packages, one module per command group.

``root`` assembles the groups (``esco``, ``records``: ingest, quarantine and demo, ``matches``: match, index and
rematch, ``access``: users, tokens and the audit log, ``backups``, ``fairness``: the exposure audit, rights and
recruiting); ``common`` holds what they share. Each group imports ``common`` only, never another group.
"""

from __future__ import annotations

from skillmatch.cli.records import DEMO_USERS
from skillmatch.cli.root import app, main

__all__ = ["DEMO_USERS", "app", "main"]
