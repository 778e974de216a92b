"""What the web service needs from start-up: the wiring builds it and hands it to ``create_app``.

The API never builds these itself (and never reads the settings): it receives an object with these members.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.engine import Engine

from esco_data import Taxonomy
from ingestion.corrections import CorrectionService
from ingestion.service import IngestionService
from matching.linking import Linker
from matching.ranking import IndexCheck, MatchingEngine, ProfileWriter
from services.fairness import FairnessServices


class Services(Protocol):
    """The opened core of the service."""

    db: Engine
    taxonomy: Taxonomy
    linker: Linker
    engine: MatchingEngine
    writer: ProfileWriter
    ingestion: IngestionService
    fairness: FairnessServices
    corrections: CorrectionService

    def check(self) -> list[IndexCheck]:
        """How each index compares with the database."""
        ...

    def save(self) -> bool:
        """Save the indexes when they check out; whether they were saved."""
        ...

    def close(self) -> None:
        """Release resources."""
        ...


__all__ = ["Services"]
