"""Exceptions of the matching package; the CLI and the API translate them for people."""

from __future__ import annotations


class MatchingError(Exception):
    """Base class of every matching error."""


class EncoderUnavailable(MatchingError):
    """The configured sentence encoder cannot be loaded (not installed, or no such local model)."""


class ConceptSpaceNotBuilt(MatchingError):
    """The concept space has not been built for the loaded ESCO release and model."""

    def __init__(self, reason: str = "") -> None:
        message = "the ESCO concept space is not built: run `skillmatch esco load`"
        super().__init__(f"{message} ({reason})" if reason else message)


class IndexNotBuilt(MatchingError):
    """A profile index has not been built yet."""


class UnknownProfile(MatchingError, KeyError):
    """No profile with this id."""

    def __str__(self) -> str:
        return str(self.args[0])


class IndexUnavailable(MatchingError):
    """A profile index cannot answer now (it is being rebuilt after a failed write); try again shortly."""


class IndexFilesInvalid(MatchingError):
    """Saved index files are missing, were built for something else, or do not match their manifest."""
