"""The one configuration object of skillmatch, read from ``SKILLMATCH_*`` environment variables.

Relative paths are resolved from the repository root (the folder holding ``pyproject.toml``), never from
the working directory, so ``make run`` and ``make test`` behave the same from anywhere.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from esco_data import DEFAULT_LANGUAGE, Language
from matching.ranking import COMPONENTS, ConcurrencyMode, IndexType, ScoreWeights
from services.mailer import SmtpSecurity

REPO_ROOT = Path(__file__).resolve().parent.parent
"""The repository root: relative paths in settings are resolved from here."""

DEFAULT_ESCO_DIR = REPO_ROOT.parent / "shared" / "esco" / "v1.1.1"
DEFAULT_MODEL = "usem3"
DEFAULT_SHORTAGE_LIST = REPO_ROOT.parent / "shared" / "lists" / "shortage_occupations_2026.tsv"
_WEIGHTS = ScoreWeights()
"""The score's default weights: their one home is ``ScoreWeights`` (the settings only let a deployment change them)."""


def resolve_path(path: Path) -> Path:
    """Resolve a path from the repository root when it is relative.

    Args:
        path: an absolute path, or one relative to the repository root.

    Returns:
        The absolute path.
    """
    path = path.expanduser()
    return path if path.is_absolute() else (REPO_ROOT / path).resolve()


def default_build_cache() -> Path:
    """The build cache's default place: ``skillmatch/`` in the user's cache folder (XDG_CACHE_HOME, ~/.cache)."""
    import os

    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root).expanduser() / "skillmatch"


def _renamed(name: str, old: str) -> AliasChoices:
    """The environment variables of a renamed setting: its name, then its old name (still read, so a deployment
    configured before the rename keeps working)."""
    return AliasChoices(f"SKILLMATCH_{name.upper()}", f"SKILLMATCH_{old.upper()}")


class Settings(BaseSettings):
    """Typed settings; every field can be set as ``SKILLMATCH_<FIELD>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="SKILLMATCH_", extra="ignore", populate_by_name=True)

    data_dir: Path = Field(default=Path("data"), description="Database, indexes and encoder cache.")
    default_language: Language = Field(
        default=Language(DEFAULT_LANGUAGE),
        description="Language of a text or record whose language is neither given nor detected.",
    )
    database_url: str = Field(default="", description="SQLAlchemy URL; default: SQLite file in data_dir.")
    esco_dir: Path = Field(default=DEFAULT_ESCO_DIR, description="ESCO CSV folder or official zip.")
    model_name: str = Field(
        default=DEFAULT_MODEL,
        description="'usem3' (bundled multilingual USE) or a local sentence-transformers model path.",
    )
    encode_threads: int = Field(default=2, ge=1, le=64)
    index_type: IndexType = IndexType.auto
    index_dir: Path | None = Field(default=None, description="Saved profile indexes; default: indexes/ in data_dir.")
    build_cache_dir: Path | None = Field(
        default_factory=lambda: default_build_cache(),
        description="Concept spaces and typeahead indexes shared by data directories, one per ESCO release and "
        "model (empty: none); default: skillmatch/ in the user's cache folder (XDG_CACHE_HOME or ~/.cache).",
    )
    concurrency: ConcurrencyMode = Field(
        default=ConcurrencyMode.rwlock,
        description="How searches and the one writer share the indexes: 'rwlock' or 'snapshot'.",
    )
    sync_seconds: float = Field(
        default=0.25,
        ge=0,
        le=3600,
        description="How often the service polls the change log for profiles other processes wrote (0: never); "
        "on PostgreSQL a commit also wakes it at once.",
    )
    ready_lag_seconds: float = Field(
        default=2.0,
        ge=0,
        le=3600,
        description="/health/ready still says ready while an index is behind by writes at most this old.",
    )
    workers: int = Field(
        default=0, ge=0, le=256, description="Processes of `skillmatch serve` (0: one per core, capped by memory)."
    )
    worker_memory_mb: int = Field(
        default=1500,
        ge=100,
        le=1_000_000,
        description="Memory one serving process needs, to cap the default number of workers by available memory.",
    )

    score_cosine: float = Field(default=_WEIGHTS.cosine, ge=0, le=100, description="Weight of the cosine term.")
    score_essential: float = Field(
        default=_WEIGHTS.essential, ge=0, le=100, description="Weight of the essential-skill coverage term."
    )
    score_optional: float = Field(
        default=_WEIGHTS.optional, ge=0, le=100, description="Weight of the optional-skill coverage term."
    )
    score_occupation: float = Field(
        default=_WEIGHTS.occupation, ge=0, le=100, description="Weight of the occupation fit term."
    )
    score_language: float = Field(
        default=_WEIGHTS.language, ge=0, le=100, description="Weight of the language fit term."
    )
    score_location: float = Field(
        default=_WEIGHTS.location, ge=0, le=100, description="Weight of the location fit term."
    )
    score_group_share: float = Field(
        default=_WEIGHTS.group_share, ge=0, le=1, description="Share of the ISCO unit group in occupation fit."
    )
    score_language_gap: float = Field(
        default=_WEIGHTS.language_gap, ge=0, le=1, description="Credit lost per CEFR level missing on a language."
    )
    score_no_requirement_coverage: float = Field(
        default=_WEIGHTS.no_requirement_coverage,
        ge=0,
        le=1,
        description="Coverage term of a vacancy that states no requirement.",
    )
    score_inferred_credit: float = Field(
        default=_WEIGHTS.inferred_credit,
        ge=0,
        le=1,
        description="Credit of a requirement the jobseeker did not state but an occupation they held needs.",
    )

    exposure_database_url: str = Field(
        default="",
        validation_alias=_renamed("exposure_database_url", "audit_database_url"),
        description="Database of the exposure audit's restricted table (gender, age band, nationality group); "
        "default: the service's database. A database of its own lets only the audit role read it.",
    )
    exposure_permutations: int = Field(
        default=1000, ge=100, le=100_000, description="Permutations of the exposure audit's test per group."
    )
    exposure_alpha: float = Field(
        default=0.05, gt=0, lt=1, description="A group whose corrected permutation p-value is below this: alert."
    )
    exposure_min_expected: float = Field(
        default=5.0, ge=0, description="A group expected to hold fewer top places than this raises no alert."
    )
    exposure_counterfactual: bool = Field(
        default=True,
        validation_alias=_renamed("exposure_counterfactual", "audit_counterfactual"),
        description="Each exposure audit also runs the counterfactual gender check (RBO) and keeps it with the run.",
    )
    retention_days: int = Field(
        default=730, ge=1, le=36_500, description="An inactive dossier is erased after this many days (purge)."
    )
    quarantine_retention_days: int = Field(
        default=90,
        ge=1,
        le=36_500,
        description="A rejected record is deleted from the quarantine after this many days (`rights purge`).",
    )
    skill_gap_k: int = Field(
        default=10, ge=1, le=100, description="The top k a missing skill should bring vacancies into."
    )
    skill_gap_candidates: int = Field(
        default=50, ge=1, le=500, description="Vacancies below the top k whose skills the skill gap tries."
    )
    shortage_list: Path = Field(default=DEFAULT_SHORTAGE_LIST, description="The shortage-occupation list (TSV).")
    recruiting_threshold_fr: float | None = Field(
        default=0.775,
        ge=0,
        le=1.5,
        description="French shortage-list titles whose best occupation scores at least this are linked without "
        "review (where the linker's precision on the French dev sets is >= 0.9: benchmarks.link_threshold); "
        "unset: every title is reviewed.",
    )
    recruiting_threshold_nl: float | None = Field(
        default=None,
        ge=0,
        le=1.5,
        description="The same for Dutch titles (unset by default: no threshold reaches a precision of 0.9 on the "
        "Dutch dev set, so every Dutch title is reviewed).",
    )

    rematch_top: int = Field(default=20, ge=1, le=200, description="Length of every list of the nightly rematch.")
    rematch_chunk_size: int = Field(
        default=1000, ge=1, le=20_000, description="Lists per chunk (a chunk is computed and committed as one)."
    )
    rematch_workers: int = Field(
        default=0, ge=0, le=256, description="Dask workers of the local cluster (0: one per core)."
    )
    rematch_scheduler: str | None = Field(
        default=None, description="Address of an existing Dask scheduler (default: a local cluster)."
    )
    rematch_exposure_audit: bool = Field(
        default=True,
        validation_alias=_renamed("rematch_exposure_audit", "rematch_audit"),
        description="Run the exposure audit after each succeeded rematch (when group attributes were imported).",
    )
    rematch_connect_seconds: float = Field(
        default=30.0, gt=0, description="How long to try an existing Dask scheduler before the rematch fails."
    )
    rematch_dashboard_address: str = Field(
        default="127.0.0.1:8787", description="Where the local cluster serves the Dask dashboard."
    )
    rematch_pause_seconds: float = Field(
        default=0.0, ge=0, le=60, description="Pause after each chunk commit (leaves the database to the service)."
    )
    rematch_local_lists: int = Field(
        default=5000,
        ge=0,
        description="A run with at most this many lists to compute (and no scheduler set) computes them in its own "
        "process: starting a local cluster and sending it the matching state costs more.",
    )
    smtp_host: str | None = Field(default=None, description="SMTP server of the notifications (unset: none sent).")
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_sender: str = Field(default="skillmatch@localhost", description="From address of the notifications.")
    smtp_security: SmtpSecurity = Field(default=SmtpSecurity.none, description="'none', 'starttls' or 'ssl'.")
    smtp_timeout: float = Field(default=30.0, gt=0, le=600)
    max_body_bytes: int = Field(default=1_000_000, ge=1_000, le=100_000_000, description="Larger bodies get 413.")
    audit_retention_days: int = Field(
        default=183, ge=1, le=3650, description="Audit log rows older than this are deleted by `audit purge`."
    )
    token_days: float = Field(default=90, gt=0, le=3650, description="Lifetime of a token issued without --days.")
    auth_failures_per_minute: int = Field(
        default=60, ge=0, le=100_000, description="Failed sign-ins per client address per minute before 429."
    )
    rate_per_token: float = Field(
        default=100.0, ge=0, le=100_000, description="Requests per second one token may make on average (0: no limit)."
    )
    rate_burst: int = Field(default=200, ge=1, le=1_000_000, description="Requests one token may make at once.")
    secure_cookie: bool = Field(default=False, description="Mark the web pages' sign-in cookie Secure (HTTPS).")
    jwt_jwks: str = Field(default="", description="JWKS file path or URL of the identity provider (empty: no JWTs).")
    jwt_issuer: str = Field(default="", description="Required 'iss' of accepted JWTs.")
    jwt_audience: str = Field(default="", description="Required 'aud' of accepted JWTs (empty: not checked).")
    jwt_algorithms: list[str] = Field(default=["RS256"], description="Accepted JWT signature algorithms.")
    jwt_role_claim: str = Field(default="role", description="Claim with the role (dotted path; may be a list).")
    jwt_dossier_claim: str = Field(default="jobseeker_id", description="Claim with a jobseeker's dossier id.")
    jwt_role_map: dict[str, str] = Field(
        default_factory=dict, description='Claim values -> roles, e.g. {"staff": "consultant"}.'
    )

    @field_validator("data_dir", "esco_dir", "shortage_list")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return resolve_path(value)

    @field_validator("index_dir")
    @classmethod
    def _absolute_or_none(cls, value: Path | None) -> Path | None:
        return resolve_path(value) if value is not None else None

    @field_validator("build_cache_dir", mode="before")
    @classmethod
    def _cache_or_none(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none", "off")):
            return None
        return resolve_path(Path(str(value))) if isinstance(value, str | Path) else value

    @model_validator(mode="after")
    def _defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'skillmatch.db'}"
        if not any(getattr(self, f"score_{name}") for name in COMPONENTS):
            raise ValueError("at least one of the score's term weights (SKILLMATCH_SCORE_*) must be above 0")
        if self.index_dir is None:
            self.index_dir = self.data_dir / "indexes"
        if self.jwt_jwks and not self.jwt_issuer:
            raise ValueError("SKILLMATCH_JWT_ISSUER is required with SKILLMATCH_JWT_JWKS")
        roles = {"consultant", "jobseeker", "admin"}
        if bad := sorted(v for v in self.jwt_role_map.values() if v not in roles):
            raise ValueError(f"SKILLMATCH_JWT_ROLE_MAP names unknown roles: {', '.join(bad)}")
        return self

    def score_weights(self) -> ScoreWeights:
        """The score's weights as the settings give them."""
        return ScoreWeights(**{name: getattr(self, f"score_{name}") for name in _WEIGHTS.__dataclass_fields__})

    @property
    def indexes_dir(self) -> Path:
        """Where the profile indexes are saved."""
        return self.index_dir if self.index_dir is not None else self.data_dir / "indexes"

    @property
    def typeahead_dir(self) -> Path:
        """Where the pages' typeahead index of ESCO labels is stored (built by ``esco load``, mapped by ``serve``)."""
        return self.data_dir / "typeahead"

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is SQLite (the embedded default)."""
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()


__all__ = [
    "DEFAULT_ESCO_DIR",
    "DEFAULT_MODEL",
    "DEFAULT_SHORTAGE_LIST",
    "REPO_ROOT",
    "IndexType",
    "Settings",
    "get_settings",
    "resolve_path",
]
