"""Exceptions of the ESCO package; the CLI and the API translate them for people."""

from __future__ import annotations


class EscoError(Exception):
    """Base class of every ESCO error."""


class EscoSourceNotFound(EscoError):
    """The ESCO folder or zip does not exist or holds none of the expected files."""


class EscoFormatError(EscoError):
    """A source file is malformed; names the file, the line and the problem."""

    def __init__(self, file: str, line: int | None, problem: str) -> None:
        self.file = file
        self.line = line
        self.problem = problem
        where = f"{file}, line {line}" if line is not None else file
        super().__init__(f"{where}: {problem}")


class TaxonomyNotLoaded(EscoError):
    """No ESCO release is in the database yet: run `skillmatch esco load`."""

    def __init__(self) -> None:
        super().__init__("no ESCO taxonomy is loaded: run `skillmatch esco load`")


class UnknownConcept(EscoError, KeyError):
    """A URI that the loaded taxonomy does not define."""

    def __init__(self, uri: str) -> None:
        self.uri = uri
        super().__init__(f"unknown ESCO concept: {uri}")

    def __str__(self) -> str:
        return str(self.args[0])


__all__ = ["EscoError", "EscoFormatError", "EscoSourceNotFound", "TaxonomyNotLoaded", "UnknownConcept"]
