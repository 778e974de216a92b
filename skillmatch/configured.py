"""The core objects as the settings configure them, for the commands that open only part of the runtime (the
nightly rematch opens no linker, no encoder and no ingestion): this module imports neither, so that such a command
does not load them (``skillmatch.runtime`` opens everything and uses these too).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from matching.ranking import MatchingEngine

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from esco_data import Taxonomy
    from matching.linking import LinkerConfig
    from matching.profiles import ProfileStore
    from matching.ranking import RelatedSkills
    from matching.space import ConceptSpace
    from skillmatch.settings import Settings


def matching_engine(
    settings: Settings, db: Engine, taxonomy: Taxonomy, space: ConceptSpace, related: RelatedSkills, store: ProfileStore
) -> MatchingEngine:
    """The matching engine of a database as the settings configure it (index type, concurrency design, the
    score's weights)."""
    return MatchingEngine(
        taxonomy,
        space,
        related,
        store,
        index_type=settings.index_type,
        concurrency=settings.concurrency,
        score_weights=settings.score_weights(),
        default_language=settings.default_language.value,
        source=db.url.render_as_string(hide_password=True),
    )


def linker_config(settings: Settings) -> LinkerConfig:
    """The linker's configuration as the settings give it (its weights are tuned in code; the default language
    is a setting)."""
    from matching.linking import LinkerConfig  # here: the linker's package is heavy, and rarely needed with this

    return LinkerConfig(default_language=settings.default_language.value)


__all__ = ["linker_config", "matching_engine"]
