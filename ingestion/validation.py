"""Validation of one record: its schema, then its ESCO URIs against the loaded taxonomy.

Every problem is reported with a field path (``skills[3].uri``) and a reason a person understands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from esco_data import ConceptKind, Taxonomy
from ingestion.minimise import CONTACT_FORM, HIDDEN, contact_field
from ingestion.models import RecordKind
from ingestion.schemas import JobseekerIn, VacancyIn

AnyRecord = JobseekerIn | VacancyIn


@dataclass(frozen=True)
class FieldError:
    """One problem of a record: the field path (``skills[3].uri``) and a reason a person understands."""

    field: str
    reason: str
    code: str = ""
    """The kind of problem (pydantic's error type, or one of ours such as ``unknown_esco_skill``), so that the
    pages can say it in their reader's language; empty when only the English reason says it."""
    params: tuple[tuple[str, str], ...] = ()
    """The values the reason names (a bound, the value found, a URI), as (name, text) pairs."""


_PARAMS = frozenset({"max_length", "min_length", "ge", "gt", "le", "lt", "expected", "value"})
"""The context of a pydantic error that the pages' wording may name."""


class InvalidRecord(Exception):
    """A record that cannot be accepted, with every problem found."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(f"{e.field}: {e.reason}" for e in self.errors))


def field_path(loc: Sequence[int | str]) -> str:
    """A pydantic error location as a field path: ``("skills", 3, "uri")`` -> ``skills[3].uri``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "(record)"


def validation_errors(exc: ValidationError) -> list[FieldError]:
    """Field errors of a pydantic validation error, with messages a person understands."""
    errors = []
    for err in exc.errors(include_url=False):
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith(("function-", "literal[")))]
        message = err["msg"].removeprefix("Value error, ")
        params = {key: str(value) for key, value in (err.get("ctx") or {}).items() if key in _PARAMS}
        if err["type"] == "missing":
            message = "this field is required"
        code, path = err["type"], field_path(loc)
        if code == "string_pattern_mismatch" and contact_field(path):
            code, message = CONTACT_FORM, f"{message} ({HIDDEN})"  # an address or number is personal data
        elif code == "string_pattern_mismatch":
            params["found"] = str(err.get("input"))[:80]
            message = f"{message} (found {params['found']!r})"
        errors.append(FieldError(path, message, code, tuple(sorted(params.items()))))
    return errors


def protected_warnings(record: AnyRecord) -> list[str]:
    """One warning per protected attribute the input carried (they were dropped), fields and free text."""
    warnings = [
        f"{record.id}: dropped protected attribute {name!r} (never used for matching)"
        for name in record.dropped_protected
    ]
    if isinstance(record, JobseekerIn) and record.screened_out:
        warnings.append(
            f"{record.id}: removed from the summary what it said about {', '.join(record.screened_out)} "
            "(never used for matching)"
        )
    return warnings


class RecordValidator:
    """Validates records against their schema and the loaded ESCO taxonomy."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy

    def validate(self, kind: RecordKind, data: dict[str, Any]) -> tuple[AnyRecord, list[str]]:
        """Validate one record.

        Args:
            kind: jobseeker or vacancy.
            data: the record in the native layout.

        Returns:
            The validated record (protected attributes dropped) and warnings.

        Raises:
            InvalidRecord: with every field error found.
        """
        schema = JobseekerIn if kind is RecordKind.jobseeker else VacancyIn
        try:
            record = schema.model_validate(data)
        except ValidationError as exc:
            raise InvalidRecord(validation_errors(exc)) from None
        self.check_uris(record)
        return record, protected_warnings(record)

    def check_uris(self, record: AnyRecord) -> None:
        """Check that every ESCO URI of a schema-valid record names a concept of the right kind.

        Raises:
            InvalidRecord: with one error per unknown URI.
        """
        errors = self.unknown_uris(record)
        if errors:
            raise InvalidRecord(errors)

    def unknown_uris(self, record: AnyRecord) -> list[FieldError]:
        """The ESCO URIs of a record that the taxonomy does not hold (or holds as another kind)."""
        tx = self.taxonomy
        errors = []

        def check(path: str, uri: str | None, kinds: tuple[ConceptKind, ...], what: str) -> None:
            if uri is not None and (uri not in tx or tx.concept(uri).kind not in kinds):
                errors.append(FieldError(path, f"unknown ESCO {what}: {uri}", f"unknown_esco_{what}", (("uri", uri),)))

        occupation = (ConceptKind.occupation,)
        for i, uri in enumerate(record.excluded_skills):
            check(f"excluded_skills[{i}]", uri, (ConceptKind.skill,), "skill")
        if isinstance(record, JobseekerIn):
            for i, s in enumerate(record.skills):
                check(f"skills[{i}].uri", s.uri, (ConceptKind.skill,), "skill")
            for i, e in enumerate(record.experiences):
                check(f"experiences[{i}].occupation_uri", e.occupation_uri, occupation, "occupation")
            for i, d in enumerate(record.desired_occupations):
                check(f"desired_occupations[{i}].occupation_uri", d.occupation_uri, occupation, "occupation")
        else:
            for name in ("required_skills", "nice_to_have_skills"):
                for i, s in enumerate(getattr(record, name)):
                    check(f"{name}[{i}].uri", s.uri, (ConceptKind.skill,), "skill")
            check("occupation_uri", record.occupation_uri, occupation, "occupation")
        return errors


__all__ = [
    "AnyRecord",
    "FieldError",
    "InvalidRecord",
    "RecordValidator",
    "field_path",
    "protected_warnings",
    "validation_errors",
]
