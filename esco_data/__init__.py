"""ESCO taxonomy: reading official ESCO CSV releases into the database, and the Taxonomy API."""

from esco_data.errors import EscoError, EscoFormatError, EscoSourceNotFound, TaxonomyNotLoaded, UnknownConcept
from esco_data.languages import DEFAULT_LANGUAGE, LANGUAGES, Language
from esco_data.loader import LoadReport, load_esco
from esco_data.models import ConceptKind, LabelType, Relation, create_tables
from esco_data.normalize import fold_text, normalize_label, strip_accents
from esco_data.store import current_release, loaded_release
from esco_data.taxonomy import Concept, Label, LocalizedText, OccupationSkills, Taxonomy, fallback_languages

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "Concept",
    "ConceptKind",
    "EscoError",
    "EscoFormatError",
    "EscoSourceNotFound",
    "Label",
    "LabelType",
    "Language",
    "LoadReport",
    "LocalizedText",
    "OccupationSkills",
    "Relation",
    "Taxonomy",
    "TaxonomyNotLoaded",
    "UnknownConcept",
    "create_tables",
    "current_release",
    "fallback_languages",
    "fold_text",
    "load_esco",
    "loaded_release",
    "normalize_label",
    "strip_accents",
]
