"""What the fairness and skill-gap features need, opened once and handed to the CLI and the API.

The wiring (``skillmatch.runtime``) builds ``FairnessServices`` from the settings; the values here are plain
(a level, a threshold, a path), never the settings object.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from esco_data import Taxonomy
from ingestion.profile_builder import ProfileBuilder
from matching.fairness import (
    CounterfactualReport,
    ExposureRun,
    ExposureStore,
    OversightStore,
    ReviewedCandidates,
    run_exposure_audit,
)
from matching.guidance import (
    LinkStatus,
    RecruitingOccupations,
    RecruitingStore,
    SkillGapConfig,
    link_titles,
    read_shortage_list,
)
from matching.linking import Linker
from matching.ranking import Filters, MatchingEngine
from services.counterfactual import counterfactual_check
from services.rights import RightsService


@dataclass(frozen=True)
class FairnessConfig:
    """Plain values from the settings."""

    permutations: int = 1000
    """Random reassignments of the attributes in the exposure audit's permutation test."""
    alpha: float = 0.05
    """A group whose permutation p-value, corrected for the number of groups, is below this raises an alert."""
    min_expected: float = 5.0
    """Groups expected to hold fewer top places raise no alert."""
    depth: int = 10
    """Top places the exposure audit counts."""
    skill_gap: SkillGapConfig = field(default_factory=SkillGapConfig)
    recruiting_thresholds: dict[str, float | None] = field(default_factory=dict)
    """Per language of the lists, a shortage-list title is linked without review from this score (none: always
    reviewed)."""
    shortage_list: Path | None = None
    """The shortage-list file linked by default."""
    counterfactual: bool = True
    """Each exposure audit also runs the counterfactual gender check and keeps it with the run."""


@dataclass
class FairnessServices:
    """Oversight, exposure audit, rights, skill gap and recruiting occupations over one database and engine."""

    db: Engine
    taxonomy: Taxonomy
    linker: Linker
    engine: MatchingEngine
    builder: ProfileBuilder
    oversight: OversightStore
    exposure: ExposureStore
    """The exposure audit's group attributes and its runs."""
    reviewed: ReviewedCandidates
    rights: RightsService
    recruiting: RecruitingStore
    config: FairnessConfig

    def exposure_audit(
        self,
        filters: Filters | None = None,
        *,
        save: bool = True,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> ExposureRun:
        """The exposure audit now, on the engine's lists and on the lists as shown (kept when ``save``), with the
        counterfactual gender check when the configuration asks for it (``progress``: see
        ``run_exposure_audit``)."""
        cfg = self.config
        return run_exposure_audit(
            self.engine,
            self.exposure,
            self.oversight,
            depth=cfg.depth,
            filters=filters,
            permutations=cfg.permutations,
            alpha=cfg.alpha,
            min_expected=cfg.min_expected,
            save=save,
            counterfactual=(lambda: self.counterfactual(filters).to_json()) if cfg.counterfactual else None,
            progress=progress,
        )

    def counterfactual(self, filters: Filters | None = None) -> CounterfactualReport:
        """The counterfactual gender check over every stored dossier (nothing is written)."""
        store = self.engine.store
        if store is None:
            raise ValueError("the engine has no profile store")
        return counterfactual_check(self.db, store, self.builder, self.engine, k=self.config.depth, filters=filters)

    def link_shortage_list(self, path: Path | None = None) -> dict[str, Any]:
        """Link a shortage list's titles with the engine's linker and store them (reviews are kept).

        Raises:
            FileNotFoundError: no list file.
            ValueError: the file names an unknown region.
        """
        path = path or self.config.shortage_list
        if path is None or not path.exists():
            raise FileNotFoundError(f"no shortage list at {path}")
        titles = read_shortage_list(path)
        rows = link_titles(self.linker, titles, self.config.recruiting_thresholds)
        self.recruiting.replace(path.name, rows)
        stored = self.recruiting.rows()
        counts = {s.value: sum(1 for r in stored if r["status"] == s.value) for s in LinkStatus}
        return {"list": path.name, "titles": len(rows), "thresholds": self.config.recruiting_thresholds, **counts}

    def recruiting_occupations(self) -> RecruitingOccupations:
        """The accepted links of the stored lists, for marking vacancies and suggesting occupations."""
        return RecruitingOccupations(self.taxonomy, self.recruiting.rows())


__all__ = ["FairnessConfig", "FairnessServices"]
